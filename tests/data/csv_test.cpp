#include "occam/data/csv.h"

#include "data/files.h"
#include "testing/testing.h"

namespace occam::data {
namespace {

using ::testing::ElementsAre;
using testing::error_of;
using testing::TempDir;

TEST(Csv, ReadsFeaturesAndLastColumnLabelsWithAHeader) {
  TempDir dir;
  testing::write_text(dir / "t.csv", "a,b,label\r\n1,2.5,0\r\n\r\n-3e2, 4 ,2\r\n\"7\",0.125,1\r\n");
  const Dataset d = load_csv(dir / "t.csv");
  EXPECT_TENSORS_NEAR(d.inputs, Tensor::from({3, 2}, {1, 2.5, -300, 4, 7, 0.125}),
                      (testing::Tol{.abs = 0, .rel = 0}));
  EXPECT_THAT(d.labels, ElementsAre(0, 2, 1));
  EXPECT_EQ(d.num_classes, 3);  // largest label + 1
  EXPECT_EQ(d.sample_shape(), (Shape{2}));
}

TEST(Csv, FindsTheLabelByNameOrByIndex) {
  TempDir dir;
  testing::write_text(dir / "named.csv", "x, \"species\" ,y\n0.5,1,1.5\n2.5,0,3.5\n");
  const Dataset named = load_csv(dir / "named.csv", {.label_column = "species", .num_classes = 4});
  EXPECT_TENSORS_NEAR(named.inputs, Tensor::from({2, 2}, {0.5, 1.5, 2.5, 3.5}),
                      (testing::Tol{.abs = 0, .rel = 0}));
  EXPECT_THAT(named.labels, ElementsAre(1, 0));
  EXPECT_EQ(named.num_classes, 4);

  testing::write_text(dir / "plain.tsv", "5\t0.5\t1.5\n6\t2.5\t3.5\n");
  const Dataset plain =
      load_csv(dir / "plain.tsv", {.header = false, .label_index = 0, .delimiter = '\t'});
  EXPECT_TENSORS_NEAR(plain.inputs, Tensor::from({2, 2}, {0.5, 1.5, 2.5, 3.5}),
                      (testing::Tol{.abs = 0, .rel = 0}));
  EXPECT_THAT(plain.labels, ElementsAre(5, 6));
  EXPECT_EQ(plain.num_classes, 7);
}

TEST(Csv, EmptyOrHeaderOnlyOrMissingFilesAreRejected) {
  TempDir dir;
  testing::write_text(dir / "empty.csv", "\n  \n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "empty.csv"); }),
            dir / "empty.csv" + ": empty file, expected rows of numbers");
  testing::write_text(dir / "header.csv", "a,label\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "header.csv"); }),
            dir / "header.csv" + ": no data rows after the header");
  EXPECT_EQ(error_of([&] { load_csv(dir / "absent.csv"); }),
            dir / "absent.csv" + ": cannot open: No such file or directory");
  testing::write_text(dir / "semi.csv", "a;b;label\n1;2;0\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "semi.csv"); }),
            dir / "semi.csv" +
                ":1:1: expected at least 2 fields (features and a label), found 1 (is the "
                "delimiter ',' right?)");
}

TEST(Csv, RaggedRowsNameLineAndColumn) {
  TempDir dir;
  testing::write_text(dir / "short.csv", "a,b,label\n1,2,0\n3,4\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "short.csv"); }),
            dir / "short.csv" + ":3:4: expected 3 fields (as in line 1), found 2");
  testing::write_text(dir / "long.csv", "1,2,0\n3,4,1,9\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "long.csv", {.header = false}); }),
            dir / "long.csv" + ":2:7: expected 3 fields (as in line 1), found 4");
}

TEST(Csv, NonNumericFeaturesNameLineColumnAndHeader) {
  TempDir dir;
  testing::write_text(dir / "t.csv", "a,b,label\n1,2,0\n1,x2,0\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "t.csv"); }),
            dir / "t.csv" + ":3:3: expected a number in column 'b', got 'x2'");
  testing::write_text(dir / "gap.csv", "1,,0\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "gap.csv", {.header = false}); }),
            dir / "gap.csv" + ":1:3: expected a number in column 2, got an empty field");
  testing::write_text(dir / "nan.csv", "a,label\nnan,0\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "nan.csv"); }),
            dir / "nan.csv" + ":2:1: expected a finite number in column 'a', got 'nan'");
}

TEST(Csv, BadLabelsAreRejected) {
  TempDir dir;
  testing::write_text(dir / "t.csv", "a,label\n1,0\n2,1.5\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "t.csv"); }),
            dir / "t.csv" + ":3:3: expected an integer class label in column 'label', got '1.5'");
  testing::write_text(dir / "range.csv", "a,label\n1,0\n2,3\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "range.csv", {.num_classes = 3}); }),
            dir / "range.csv" + ":3:3: label 3 is outside [0, 3)");
  testing::write_text(dir / "neg.csv", "a,label\n1,-1\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "neg.csv"); }),
            dir / "neg.csv" + ":2:3: label -1 is negative (classes are 0, 1, …)");
}

TEST(Csv, UnknownLabelColumnListsTheColumns) {
  TempDir dir;
  testing::write_text(dir / "t.csv", "a,b,label\n1,2,0\n");
  EXPECT_EQ(error_of([&] { load_csv(dir / "t.csv", {.label_column = "class"}); }),
            dir / "t.csv" + ":1:1: no column named 'class' (columns: a, b, label)");
  EXPECT_EQ(error_of([&] { load_csv(dir / "t.csv", {.label_index = 3}); }),
            dir / "t.csv" + ":1:1: label column index 3 is out of range for 3 columns");
}

}  // namespace
}  // namespace occam::data
