// Reads the real Fashion-MNIST that scripts/setup.sh installs (Debian's dataset-fashion-mnist).
#include "occam/data/fashion_mnist.h"

#include <algorithm>
#include <cmath>

#include "data/files.h"
#include "testing/testing.h"

namespace occam::data {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing::error_of;
using testing::TempDir;

const std::string kDir(fashion_mnist_default_dir);

std::vector<int64_t> class_counts(const Dataset& d) {
  std::vector<int64_t> counts(d.num_classes);
  for (int64_t y : d.labels) ++counts[y];
  return counts;
}

// Σ pixel of image i in the file's own units (0…255), recovered exactly from pixel/255.
int64_t pixel_sum(const Dataset& d, int64_t i) {
  int64_t s = 0;
  for (int64_t k = 0; k < 28 * 28; ++k) s += std::lround(d.inputs[i * 28 * 28 + k] * 255.f);
  return s;
}

TEST(FashionMnist, TrainHas60000ImagesWith6000PerClass) {
  const Dataset d = load_fashion_mnist(kDir, Split::train);
  ASSERT_EQ(d.inputs.shape(), (Shape{60000, 1, 28, 28}));
  ASSERT_EQ(d.size(), 60000);
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_THAT(class_counts(d), Each(6000));
  // Values read with Python's gzip module from the same files.
  EXPECT_THAT(std::vector<int64_t>(d.labels.begin(), d.labels.begin() + 10),
              ElementsAre(9, 0, 0, 3, 0, 2, 7, 2, 5, 5));
  EXPECT_EQ(pixel_sum(d, 0), 76247);
  EXPECT_EQ(d.inputs[14 * 28 + 4], 6.f / 255.f);  // image 0, row 14, column 4 is 0x06
  const auto [lo, hi] = std::minmax_element(d.inputs.data(), d.inputs.data() + d.inputs.numel());
  EXPECT_EQ(*lo, 0.f);
  EXPECT_EQ(*hi, 1.f);
  EXPECT_EQ(d.class_names[d.labels[0]], "Ankle boot");
}

TEST(FashionMnist, TestHas10000ImagesWith1000PerClass) {
  const Dataset d = load_fashion_mnist(kDir, Split::test);
  ASSERT_EQ(d.inputs.shape(), (Shape{10000, 1, 28, 28}));
  EXPECT_THAT(class_counts(d), Each(1000));
  EXPECT_THAT(std::vector<int64_t>(d.labels.begin(), d.labels.begin() + 10),
              ElementsAre(9, 2, 1, 1, 6, 1, 4, 6, 5, 7));
  EXPECT_EQ(pixel_sum(d, 0), 33456);
}

TEST(FashionMnist, ClassNamesAreZalandos) {
  EXPECT_THAT(fashion_mnist_class_names,
              ElementsAreArray({"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                                "Shirt", "Sneaker", "Bag", "Ankle boot"}));
}

TEST(FashionMnist, ReadsUncompressedFilesWhenThereIsNoGz) {
  TempDir dir;
  std::vector<uint8_t> pixels(2 * 28 * 28, 255);
  testing::write_bytes(dir / "t10k-images-idx3-ubyte",
                       testing::idx_bytes(0x803, {2, 28, 28}, pixels));
  testing::write_bytes(dir / "t10k-labels-idx1-ubyte", testing::idx_bytes(0x801, {2}, {3, 8}));
  const Dataset d = load_fashion_mnist(dir.str(), Split::test);
  EXPECT_THAT(d.labels, ElementsAre(3, 8));
  EXPECT_EQ(d.inputs.shape(), (Shape{2, 1, 28, 28}));
  EXPECT_EQ(d.inputs[2 * 28 * 28 - 1], 1.f);
  EXPECT_EQ(d.class_names[8], "Bag");
}

TEST(FashionMnist, MissingDataSaysWhereToGetIt) {
  TempDir dir;
  const std::string hint =
      " (install Debian's dataset-fashion-mnist, or download the four .gz files from "
      "github.com/zalandoresearch/fashion-mnist into it)";
  EXPECT_EQ(error_of([&] { load_fashion_mnist(dir / "absent", Split::train); }),
            dir / "absent" + ": no such directory for Fashion-MNIST" + hint);
  EXPECT_EQ(error_of([&] { load_fashion_mnist(dir.str(), Split::train); }),
            dir / "train-images-idx3-ubyte.gz" + ": no such file, nor without .gz" + hint);
}

}  // namespace
}  // namespace occam::data
