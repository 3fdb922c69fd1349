#include "occam/data/voc.h"

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/files.h"
#include "occam/error.h"

namespace occam::data {
namespace {

using ::testing::AllOf;
using testing::data_error;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

std::string object_xml(const std::string& name, const std::string& box, int difficult = 0,
                       int truncated = 0) {
  return "<object><name>" + name + "</name><pose>Left</pose><truncated>" +
         std::to_string(truncated) + "</truncated><difficult>" + std::to_string(difficult) +
         "</difficult><bndbox>" + box + "</bndbox></object>";
}

std::string bndbox(const std::string& xmin, const std::string& ymin, const std::string& xmax,
                   const std::string& ymax) {
  return "<xmin>" + xmin + "</xmin><ymin>" + ymin + "</ymin><xmax>" + xmax + "</xmax><ymax>" +
         ymax + "</ymax>";
}

std::string annotation_xml(const std::string& filename, int width, int height,
                           const std::string& objects) {
  return "<annotation><folder>VOC</folder>" +
         (filename.empty() ? std::string() : "<filename>" + filename + "</filename>") +
         "<size><width>" + std::to_string(width) + "</width><height>" + std::to_string(height) +
         "</height><depth>3</depth></size><segmented>0</segmented>" + objects + "</annotation>";
}

// A VOC root: Annotations/, ImageSets/Main/, JPEGImages/.
struct VocRoot {
  TempDir dir;
  VocRoot() {
    for (const char* d : {"Annotations", "ImageSets/Main", "JPEGImages"})
      std::filesystem::create_directories(dir / d);
  }
  std::string root() const { return dir.str(); }
  void add(const std::string& id, const std::string& xml, const std::string& image_file) {
    testing::write_text(dir / ("Annotations/" + id + ".xml"), xml);
    if (!image_file.empty()) testing::write_text(dir / ("JPEGImages/" + image_file), "");
  }
  void split(const std::string& name, const std::string& lines) {
    testing::write_text(dir / ("ImageSets/Main/" + name + ".txt"), lines);
  }
  std::string xml(const std::string& id) const { return dir / ("Annotations/" + id + ".xml"); }
};

void add_good(VocRoot& voc) {
  voc.add("000001",
          annotation_xml("000001.jpg", 100, 80,
                         object_xml("dog", bndbox("11", "21", "40", "60"), 1, 0) +
                             object_xml("cat", bndbox("1", "1", "100", "80"), 0, 1)),
          "000001.jpg");
  voc.add("000002", annotation_xml("", 50, 50, ""), "000002.jpg");  // no <filename>, no object
  voc.add("000003",
          annotation_xml("000003.png", 30, 40, object_xml("person", bndbox("5", "5", "5", "5.5"))),
          "000003.png");
  voc.split("train", "000003\n000001\n\n000002\n");
}

TEST(Voc, ReadsSplitBoxesFlagsAndClasses) {
  VocRoot voc;
  add_good(voc);
  const DetectionAnnotations a = read_voc(voc.root(), "train");
  EXPECT_THAT(a.class_names(), ElementsAre("cat", "dog", "person"));  // alphabetical
  EXPECT_EQ(a.categories[2].id, 3);
  ASSERT_EQ(a.images.size(), 3u);
  // The split's order, not the files' order.
  EXPECT_EQ(a.images[0].name, "000003");
  EXPECT_EQ(a.images[1].name, "000001");
  EXPECT_EQ(a.images[2].name, "000002");
  EXPECT_EQ(a.images[1].id, 1);

  const AnnotatedImage& im = a.images[1];
  EXPECT_EQ(im.file, voc.dir / "JPEGImages/000001.jpg");
  EXPECT_EQ(im.width, 100);
  EXPECT_EQ(im.height, 80);
  ASSERT_EQ(im.objects.size(), 2u);
  const AnnotatedObject& dog = im.objects[0];
  EXPECT_EQ(dog.class_index, 1);
  EXPECT_EQ(dog.category_id, 2);
  EXPECT_EQ(dog.annotation_id, 1);
  // 1-based inclusive (11, 21, 40, 60) → continuous (10, 20, 40, 60): 30 × 40 pixels.
  EXPECT_EQ(dog.box.xmin, 10);
  EXPECT_EQ(dog.box.ymin, 20);
  EXPECT_EQ(dog.box.xmax, 40);
  EXPECT_EQ(dog.box.ymax, 60);
  EXPECT_EQ(dog.area, 30 * 40);  // the devkit's (xmax − xmin + 1)(ymax − ymin + 1)
  EXPECT_TRUE(dog.difficult);
  EXPECT_FALSE(dog.truncated);
  const AnnotatedObject& cat = im.objects[1];
  EXPECT_TRUE(cat.truncated);
  EXPECT_FALSE(cat.difficult);
  // The whole image: (1, 1, 100, 80) covers (0, 0)–(100, 80), normalized exactly to [0, 1].
  const Objects objs = to_objects(im);
  EXPECT_EQ(objs.boxes[1], (std::array<float, 4>{0.f, 0.f, 1.f, 1.f}));
  EXPECT_FLOAT_EQ(objs.boxes[0][0], 0.25f);  // ymin 20 / 80
  EXPECT_FLOAT_EQ(objs.boxes[0][1], 0.1f);   // xmin 10 / 100
  EXPECT_THAT(objs.difficult, ElementsAre(1, 0));

  EXPECT_EQ(a.images[2].file, voc.dir / "JPEGImages/000002.jpg");  // <id>.jpg without <filename>
  EXPECT_TRUE(a.images[2].objects.empty());
  // xmin == xmax is one pixel wide, not degenerate; fractional coordinates are kept.
  const AnnotatedObject& person = a.images[0].objects.at(0);
  EXPECT_EQ(person.box.width(), 1);
  EXPECT_EQ(person.box.height(), 1.5);
  EXPECT_EQ(a.images[0].file, voc.dir / "JPEGImages/000003.png");
}

TEST(Voc, GivenClassesAndNoSplit) {
  VocRoot voc;
  add_good(voc);
  const DetectionAnnotations a = read_voc(voc.root(), "", {}, {"person", "dog", "cat", "bus"});
  EXPECT_EQ(a.num_classes(), 4);
  ASSERT_EQ(a.images.size(), 3u);
  EXPECT_EQ(a.images[0].name, "000001");             // all Annotations/*.xml, sorted
  EXPECT_EQ(a.images[0].objects[0].class_index, 1);  // dog
  EXPECT_EQ(a.images[0].objects[1].class_index, 2);  // cat
  EXPECT_EQ(a.images[2].objects[0].class_index, 0);  // person
  EXPECT_THAT(data_error([&] {
                read_voc(voc.root(), "train", {}, {"dog", "cat"});
              }),
              AllOf(HasSubstr(voc.xml("000003")), HasSubstr("object 1 ('person')"),
                    HasSubstr("unknown class")));
}

TEST(Voc, BadBoxesAreNamedErrorsOrCountedSkips) {
  VocRoot voc;
  voc.add("a",
          annotation_xml("a.jpg", 100, 80,
                         object_xml("dog", bndbox("10", "10", "20", "20")) +
                             object_xml("dog", bndbox("10", "10", "9", "20")) +   // zero width
                             object_xml("cat", bndbox("10", "30", "20", "25")) +  // negative height
                             object_xml("cat", bndbox("50", "10", "106", "20"))),  // outside
          "a.jpg");
  voc.split("val", "a\n");
  EXPECT_THAT(data_error([&] { read_voc(voc.root(), "val"); }),
              AllOf(HasSubstr(voc.xml("a")), HasSubstr("object 2 ('dog')"),
                    HasSubstr("bndbox (10, 10, 9, 20)"), HasSubstr("degenerate box (width 0")));
  AnnotationOptions skip;
  skip.on_invalid = OnInvalid::skip;
  const DetectionAnnotations a = read_voc(voc.root(), "val", skip);
  ASSERT_EQ(a.skipped.size(), 3u);
  EXPECT_THAT(a.skipped[0], HasSubstr("object 2"));
  EXPECT_THAT(a.skipped[1], AllOf(HasSubstr("object 3 ('cat')"), HasSubstr("degenerate")));
  EXPECT_THAT(a.skipped[2],
              AllOf(HasSubstr("object 4 ('cat')"), HasSubstr("outside its 100x80 image")));
  ASSERT_EQ(a.num_objects(), 1);
  EXPECT_EQ(a.images[0].objects[0].annotation_id, 1);
}

TEST(Voc, BadFiles) {
  VocRoot voc;
  add_good(voc);
  EXPECT_THAT(data_error([&] { read_voc(voc.root(), "test"); }),
              AllOf(HasSubstr("ImageSets/Main/test.txt"), HasSubstr("(splits here: train)")));
  voc.split("missing", "000001\n999999\n");
  EXPECT_THAT(data_error([&] { read_voc(voc.root(), "missing"); }),
              AllOf(HasSubstr(voc.xml("999999")), HasSubstr("cannot open")));

  voc.add("nofile", annotation_xml("gone.jpg", 10, 10, ""), "");
  voc.split("s1", "nofile\n");
  EXPECT_THAT(data_error([&] { read_voc(voc.root(), "s1"); }),
              AllOf(HasSubstr(voc.xml("nofile")), HasSubstr("JPEGImages/gone.jpg does not exist")));
  AnnotationOptions no_check;
  no_check.check_files = false;
  EXPECT_EQ(read_voc(voc.root(), "s1", no_check).images.size(), 1u);

  voc.add("broken", "<annotation><size><width>3</width></annotation>", "broken.jpg");
  voc.split("s2", "broken\n");
  EXPECT_THAT(data_error([&] { read_voc(voc.root(), "s2"); }),
              AllOf(HasSubstr(voc.xml("broken")), HasSubstr("not valid XML")));

  voc.add("nan", annotation_xml("nan.jpg", 10, 10, object_xml("dog", bndbox("1", "x", "5", "5"))),
          "nan.jpg");
  voc.split("s3", "nan\n");
  EXPECT_THAT(data_error([&] { read_voc(voc.root(), "s3"); }),
              AllOf(HasSubstr("object 1 ('dog'): <ymin> must be a number, got 'x'")));

  voc.add("nosize", "<annotation><filename>ns.jpg</filename></annotation>", "ns.jpg");
  voc.split("s4", "nosize\n");
  EXPECT_THAT(data_error([&] { read_voc(voc.root(), "s4"); }), HasSubstr("missing <size>"));

  voc.add("zero", annotation_xml("z.jpg", 0, 10, ""), "z.jpg");
  voc.split("s5", "zero\n");
  EXPECT_THAT(data_error([&] { read_voc(voc.root(), "s5"); }),
              HasSubstr("width and height must be positive"));

  EXPECT_THAT(data_error([&] { read_voc(voc.dir / "nowhere", ""); }), HasSubstr("a VOC root?"));
}

}  // namespace
}  // namespace occam::data
