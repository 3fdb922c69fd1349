#include "occam/data/coco.h"

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

// Three images (b.png has no object), categories with non-contiguous ids given out of order.
std::string coco_json(const std::string& annotations) {
  return R"({
  "images": [
    {"id": 10, "width": 100, "height": 50, "file_name": "a.png"},
    {"id": 20, "width": 64, "height": 64, "file_name": "b.png"},
    {"id": 30, "width": 200, "height": 100, "file_name": "c.jpg"}
  ],
  "categories": [
    {"id": 7, "name": "shirt", "supercategory": "clothing"},
    {"id": 3, "name": "boot"},
    {"id": 90, "name": "bag"}
  ],
  "annotations": [)" +
         annotations + "]}";
}

const char* kGood = R"(
    {"id": 1, "image_id": 10, "category_id": 7, "bbox": [10, 5, 20, 10], "area": 150.5, "iscrowd": 0},
    {"id": 2, "image_id": 30, "category_id": 90, "bbox": [0.5, 1.5, 199.5, 98.5], "area": 3000, "iscrowd": 1},
    {"id": 3, "image_id": 10, "category_id": 3, "bbox": [50, 0, 50, 50], "area": 2500, "iscrowd": 0}
)";

void make_images(const TempDir& dir) {
  for (const char* f : {"a.png", "b.png", "c.jpg"}) testing::write_text(dir / f, "");
}

TEST(Coco, ReadsImagesObjectsAndCategoriesInIdOrder) {
  TempDir dir;
  make_images(dir);
  testing::write_text(dir / "gt.json", coco_json(kGood));
  const DetectionAnnotations a = read_coco(dir / "gt.json");
  ASSERT_EQ(a.num_classes(), 3);
  EXPECT_EQ(a.categories[0].id, 3);
  EXPECT_EQ(a.categories[1].id, 7);
  EXPECT_EQ(a.categories[2].id, 90);
  EXPECT_THAT(a.class_names(), ElementsAre("boot", "shirt", "bag"));
  EXPECT_EQ(a.class_index(90), 2);
  EXPECT_EQ(a.class_index(4), -1);
  ASSERT_EQ(a.images.size(), 3u);
  EXPECT_EQ(a.num_objects(), 3);
  EXPECT_TRUE(a.skipped.empty());

  const AnnotatedImage& im = a.images[0];
  EXPECT_EQ(im.id, 10);
  EXPECT_EQ(im.name, "a.png");
  EXPECT_EQ(im.file, dir / "a.png");
  EXPECT_EQ(im.width, 100);
  EXPECT_EQ(im.height, 50);
  ASSERT_EQ(im.objects.size(), 2u);
  const AnnotatedObject& o = im.objects[0];
  EXPECT_EQ(o.annotation_id, 1);
  EXPECT_EQ(o.category_id, 7);
  EXPECT_EQ(o.class_index, 1);
  EXPECT_EQ(o.box.xmin, 10);
  EXPECT_EQ(o.box.ymin, 5);
  EXPECT_EQ(o.box.xmax, 30);  // x + w
  EXPECT_EQ(o.box.ymax, 15);  // y + h
  EXPECT_EQ(o.area, 150.5);   // as written, not w·h = 200
  EXPECT_FALSE(o.crowd);
  EXPECT_EQ(im.objects[1].class_index, 0);  // category 3

  EXPECT_TRUE(a.images[1].objects.empty());  // b.png: valid, no objects
  const AnnotatedObject& crowd = a.images[2].objects.at(0);
  EXPECT_TRUE(crowd.crowd);
  EXPECT_EQ(crowd.class_index, 2);
  EXPECT_EQ(crowd.box.xmax, 200);
  EXPECT_EQ(crowd.box.ymax, 100);

  // Normalized [ymin, xmin, ymax, xmax] for a batch.
  const Objects objs = to_objects(im);
  ASSERT_EQ(objs.size(), 2u);
  EXPECT_FLOAT_EQ(objs.boxes[0][0], 0.1f);  // 5 / 50
  EXPECT_FLOAT_EQ(objs.boxes[0][1], 0.1f);  // 10 / 100
  EXPECT_FLOAT_EQ(objs.boxes[0][2], 0.3f);  // 15 / 50
  EXPECT_FLOAT_EQ(objs.boxes[0][3], 0.3f);  // 30 / 100
  EXPECT_THAT(objs.classes, ElementsAre(1, 0));
  EXPECT_THAT(to_objects(a.images[2]).crowd, ElementsAre(1));
  EXPECT_EQ(to_objects(a.images[1]).size(), 0u);
}

TEST(Coco, ImagesDirectoryAndDefaults) {
  TempDir dir;
  std::filesystem::create_directories(dir / "imgs");
  for (const char* f : {"a.png", "b.png", "c.jpg"})
    testing::write_text(dir / ("imgs/" + std::string(f)), "");
  testing::write_text(
      dir / "gt.json",
      coco_json(R"({"id": 4, "image_id": 20, "category_id": 3, "bbox": [1, 2, 3, 4]})"));
  const DetectionAnnotations a = read_coco(dir / "gt.json", dir / "imgs");
  EXPECT_EQ(a.images[1].file, dir / "imgs/b.png");
  const AnnotatedObject& o = a.images[1].objects.at(0);
  EXPECT_EQ(o.area, 12);  // w·h when 'area' is absent
  EXPECT_FALSE(o.crowd);  // iscrowd absent: 0
  // Without the directory, the files are looked for beside the JSON: a named error.
  EXPECT_THAT(data_error([&] { read_coco(dir / "gt.json"); }),
              AllOf(HasSubstr(dir / "gt.json"), HasSubstr("image id 10 'a.png'"),
                    HasSubstr(dir / "a.png"), HasSubstr("does not exist")));
  AnnotationOptions no_check;
  no_check.check_files = false;
  EXPECT_EQ(read_coco(dir / "gt.json", "", no_check).images.size(), 3u);
}

TEST(Coco, BadAnnotationsAreNamedErrors) {
  TempDir dir;
  make_images(dir);
  auto error_for = [&](const std::string& annotation) {
    testing::write_text(dir / "gt.json", coco_json(annotation));
    return data_error([&] { read_coco(dir / "gt.json"); });
  };
  EXPECT_THAT(error_for(R"({"id": 5, "image_id": 10, "category_id": 7, "bbox": [10, 10, 0, 5]})"),
              AllOf(HasSubstr(dir / "gt.json"), HasSubstr("annotation id 5"),
                    HasSubstr("image id 10 'a.png'"), HasSubstr("degenerate box")));
  EXPECT_THAT(error_for(R"({"id": 6, "image_id": 10, "category_id": 7, "bbox": [90, 10, 15, 5]})"),
              AllOf(HasSubstr("annotation id 6"), HasSubstr("outside its 100x50 image")));
  EXPECT_THAT(error_for(R"({"id": 7, "image_id": 10, "category_id": 7, "bbox": [-3, 10, 15, 5]})"),
              HasSubstr("outside"));
  EXPECT_THAT(error_for(R"({"id": 8, "image_id": 10, "category_id": 99, "bbox": [1, 1, 5, 5]})"),
              AllOf(HasSubstr("annotation id 8"), HasSubstr("unknown category_id 99"),
                    HasSubstr("(categories: 3, 7, 90)")));
  EXPECT_THAT(error_for(R"({"id": 9, "image_id": 11, "category_id": 7, "bbox": [1, 1, 5, 5]})"),
              AllOf(HasSubstr("annotation id 9"), HasSubstr("image_id 11 is not in 'images'")));
  EXPECT_THAT(error_for(R"({"id": 10, "image_id": 10, "category_id": 7, "bbox": [1, 1, 5]})"),
              HasSubstr("'bbox' must be [x, y, width, height]"));
  EXPECT_THAT(
      error_for(
          R"({"id": 11, "image_id": 10, "category_id": 7, "bbox": [1, 1, 5, 5], "iscrowd": 2})"),
      HasSubstr("'iscrowd' must be 0 or 1"));
  EXPECT_THAT(error_for(R"({"id": 12, "image_id": 10, "bbox": [1, 1, 5, 5]})"),
              AllOf(HasSubstr("annotation id 12"), HasSubstr("missing 'category_id'")));
}

TEST(Coco, BoxWithinToleranceIsKeptAndClampedForBatches) {
  TempDir dir;
  make_images(dir);
  // Ends at x = 100.5 in a 100-wide image: within the default 1-pixel tolerance.
  testing::write_text(
      dir / "gt.json",
      coco_json(R"({"id": 1, "image_id": 10, "category_id": 7, "bbox": [90, 10, 10.5, 5]})"));
  const DetectionAnnotations a = read_coco(dir / "gt.json");
  EXPECT_EQ(a.images[0].objects.at(0).box.xmax, 100.5);  // kept as written
  EXPECT_EQ(to_objects(a.images[0]).boxes[0][3], 1.f);   // clamped to the image
  AnnotationOptions strict;
  strict.outside_tolerance = 0;
  EXPECT_THAT(data_error([&] { read_coco(dir / "gt.json", "", strict); }), HasSubstr("outside"));
}

TEST(Coco, SkipModeCountsAndReports) {
  TempDir dir;
  make_images(dir);
  testing::write_text(dir / "gt.json", coco_json(R"(
    {"id": 1, "image_id": 10, "category_id": 7, "bbox": [10, 10, 0, 5]},
    {"id": 2, "image_id": 10, "category_id": 99, "bbox": [1, 1, 5, 5]},
    {"id": 3, "image_id": 10, "category_id": 3, "bbox": [1, 1, 5, 5]},
    {"id": 4, "image_id": 30, "category_id": 3, "bbox": [190, 1, 50, 5]})"));
  AnnotationOptions skip;
  skip.on_invalid = OnInvalid::skip;
  const DetectionAnnotations a = read_coco(dir / "gt.json", "", skip);
  ASSERT_EQ(a.skipped.size(), 3u);
  EXPECT_THAT(a.skipped[0], AllOf(HasSubstr("annotation id 1"), HasSubstr("degenerate")));
  EXPECT_THAT(a.skipped[1], AllOf(HasSubstr("annotation id 2"), HasSubstr("unknown category_id")));
  EXPECT_THAT(a.skipped[2], AllOf(HasSubstr("annotation id 4"), HasSubstr("outside")));
  EXPECT_EQ(a.num_objects(), 1);
  EXPECT_EQ(a.images[0].objects.at(0).annotation_id, 3);
  EXPECT_TRUE(a.images[2].objects.empty());
}

TEST(Coco, BadFiles) {
  TempDir dir;
  make_images(dir);
  testing::write_text(dir / "bad.json", "{\"images\": [");
  EXPECT_THAT(data_error([&] { read_coco(dir / "bad.json"); }),
              AllOf(HasSubstr(dir / "bad.json"), HasSubstr("not valid JSON")));
  EXPECT_THAT(data_error([&] { read_coco(dir / "none.json"); }), HasSubstr("cannot open"));
  testing::write_text(dir / "nocat.json", R"({"images": []})");
  EXPECT_THAT(data_error([&] { read_coco(dir / "nocat.json"); }),
              HasSubstr("missing 'categories'"));
  testing::write_text(dir / "dup.json", R"({"categories": [], "images": [
      {"id": 1, "width": 5, "height": 5, "file_name": "a.png"},
      {"id": 1, "width": 5, "height": 5, "file_name": "b.png"}]})");
  EXPECT_THAT(data_error([&] { read_coco(dir / "dup.json"); }), HasSubstr("two images have id 1"));
  testing::write_text(dir / "dupcat.json", R"({"images": [], "categories": [
      {"id": 4, "name": "x"}, {"id": 4, "name": "y"}]})");
  EXPECT_THAT(data_error([&] { read_coco(dir / "dupcat.json"); }),
              HasSubstr("two categories have id 4 ('x' and 'y')"));
  testing::write_text(dir / "nowidth.json", R"({"categories": [], "images": [
      {"id": 3, "height": 5, "file_name": "a.png"}]})");
  EXPECT_THAT(data_error([&] { read_coco(dir / "nowidth.json"); }),
              HasSubstr("image id 3 'a.png': missing 'width'"));
  // No 'annotations' at all: images without objects.
  testing::write_text(dir / "empty.json", R"({"categories": [{"id": 1, "name": "x"}], "images": [
      {"id": 3, "width": 5, "height": 5, "file_name": "a.png"}]})");
  const DetectionAnnotations a = read_coco(dir / "empty.json");
  EXPECT_EQ(a.images.size(), 1u);
  EXPECT_EQ(a.num_objects(), 0);
}

}  // namespace
}  // namespace occam::data
