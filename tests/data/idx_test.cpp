#include "occam/data/idx.h"

#include "data/files.h"
#include "testing/testing.h"

namespace occam::data {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using testing::error_of;
using ::testing::HasSubstr;
using testing::idx_bytes;
using ::testing::Not;
using ::testing::StartsWith;
using testing::TempDir;

constexpr uint32_t kImages = 0x00000803, kLabels = 0x00000801;

// Two 3×4 images whose pixels are 0, 11, 22, …, 253 (i·11 for i = 0…23).
std::vector<uint8_t> pixels_2x3x4() {
  std::vector<uint8_t> p(24);
  for (int i = 0; i < 24; ++i) p[i] = static_cast<uint8_t>(i * 11);
  return p;
}

void expect_small_dataset(const Dataset& d) {
  ASSERT_EQ(d.inputs.shape(), (Shape{2, 1, 3, 4}));
  for (int i = 0; i < 24; ++i) EXPECT_EQ(d.inputs[i], static_cast<float>(i * 11) / 255.f) << i;
  EXPECT_EQ(d.inputs[23], 253.f / 255.f);
  EXPECT_THAT(d.labels, ElementsAre(7, 0));
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.sample_shape(), (Shape{1, 3, 4}));
}

TEST(Idx, ReadsPlainFilesBackExactly) {
  TempDir dir;
  testing::write_bytes(dir / "images", idx_bytes(kImages, {2, 3, 4}, pixels_2x3x4()));
  testing::write_bytes(dir / "labels", idx_bytes(kLabels, {2}, {7, 0}));
  expect_small_dataset(load_idx(dir / "images", dir / "labels", 10));
}

TEST(Idx, ReadsGzipFilesBackExactly) {
  TempDir dir;
  testing::write_gz(dir / "images.gz", idx_bytes(kImages, {2, 3, 4}, pixels_2x3x4()));
  testing::write_gz(dir / "labels.gz", idx_bytes(kLabels, {2}, {7, 0}));
  expect_small_dataset(load_idx(dir / "images.gz", dir / "labels.gz", 10));
}

TEST(Idx, ReadsByContentNotByName) {
  // zlib detects gzip from the bytes: a plain file named .gz and a gzip file without .gz both read.
  TempDir dir;
  testing::write_bytes(dir / "images.gz", idx_bytes(kImages, {2, 3, 4}, pixels_2x3x4()));
  testing::write_gz(dir / "labels", idx_bytes(kLabels, {2}, {7, 0}));
  expect_small_dataset(load_idx(dir / "images.gz", dir / "labels", 10));
}

TEST(Idx, MissingFileNamesThePathAndTheReason) {
  TempDir dir;
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "nope.gz"); }),
            dir / "nope.gz" + ": cannot open: No such file or directory");
  EXPECT_EQ(error_of([&] { read_idx_images(dir.str()); }),
            dir.str() + ": is a directory, expected an IDX file");
}

TEST(Idx, WrongMagicSaysWhatWasFound) {
  TempDir dir;
  testing::write_bytes(dir / "labels", idx_bytes(kLabels, {2}, {7, 0}));
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "labels"); }),
            dir / "labels" +
                ": expected IDX magic 0x00000803, found 0x00000801 (an IDX labels file: are the "
                "images and labels paths swapped?)");
  testing::write_bytes(dir / "html", {'<', '!', 'D', 'O', 'C', 'T', 'Y', 'P', 'E', ' ', 'h', 't',
                                      'm', 'l', '>', '\n'});
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "html"); }),
            dir / "html" + ": expected IDX magic 0x00000803, found 0x3c21444f (not an IDX file)");
  testing::write_bytes(dir / "floats", idx_bytes(0x00000d03, {1, 1, 1}, {0, 0, 0, 0}));
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "floats"); }),
            dir / "floats" +
                ": expected IDX magic 0x00000803, found 0x00000d03 (an IDX file of element type "
                "0xd: only uint8, 0x08, is supported)");
  testing::write_bytes(dir / "matrix", idx_bytes(0x00000802, {1, 1}, {0}));
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "matrix"); }),
            dir / "matrix" +
                ": expected IDX magic 0x00000803, found 0x00000802 (an IDX file of "
                "rank 2, expected 3)");
  // Compressed twice: one layer of gzip is undone by zlib, the second shows as the magic.
  testing::write_gz(dir / "once.gz", idx_bytes(kLabels, {1}, {0}));
  testing::write_gz(dir / "twice.gz", testing::read_bytes(dir / "once.gz"));
  EXPECT_THAT(error_of([&] { read_idx_labels(dir / "twice.gz", 10); }),
              AllOf(HasSubstr("expected IDX magic 0x00000801, found 0x1f8b08"),
                    EndsWith("(gzip inside gzip: decompress it once)")));
}

TEST(Idx, TruncatedFilesSayHowMuchWasExpectedAndFound) {
  TempDir dir;
  std::vector<uint8_t> short_pixels = pixels_2x3x4();
  short_pixels.resize(20);
  testing::write_bytes(dir / "images", idx_bytes(kImages, {2, 3, 4}, short_pixels));
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "images"); }),
            dir / "images" + ": truncated: expected 2·3·4 = 24 bytes of pixels, got 20");

  testing::write_bytes(dir / "labels", idx_bytes(kLabels, {5}, {1, 2, 3}));
  EXPECT_EQ(error_of([&] { read_idx_labels(dir / "labels", 10); }),
            dir / "labels" + ": truncated: expected 5 labels, got 3");

  testing::write_bytes(dir / "header", {0, 0, 8, 3, 0, 0, 0});
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "header"); }),
            dir / "header" + ": truncated: expected a 16-byte IDX header, got 7 bytes");
}

TEST(Idx, GzipFileCutInHalfIsReportedAsCutShort) {
  TempDir dir;
  // Random pixels barely compress, so half the .gz file holds about half the pixels.
  Rng rng(3);
  std::vector<uint8_t> pixels(100 * 28 * 28);
  for (auto& p : pixels) p = static_cast<uint8_t>(rng.below(256));
  testing::write_gz(dir / "full.gz", idx_bytes(kImages, {100, 28, 28}, pixels));
  std::vector<uint8_t> gz = testing::read_bytes(dir / "full.gz");
  gz.resize(gz.size() / 2);
  testing::write_bytes(dir / "half.gz", gz);
  const std::string error = error_of([&] { read_idx_images(dir / "half.gz"); });
  EXPECT_THAT(error,
              AllOf(StartsWith(dir / "half.gz" +
                               ": truncated: expected 100·28·28 = 78400 bytes of pixels, got "),
                    EndsWith(" (the gzip stream ends early: the file is cut short, "
                             "download it again)"),
                    Not(HasSubstr("\n"))));
}

TEST(Idx, CorruptGzipDataIsReported) {
  TempDir dir;
  Rng rng(4);
  std::vector<uint8_t> pixels(10 * 28 * 28);
  for (auto& p : pixels) p = static_cast<uint8_t>(rng.below(256));
  testing::write_gz(dir / "full.gz", idx_bytes(kImages, {10, 28, 28}, pixels));
  std::vector<uint8_t> gz = testing::read_bytes(dir / "full.gz");
  for (size_t i = 20; i < 60; ++i)
    gz[i] = 0xff;  // inside the deflate stream, past the 10-byte gzip header
  testing::write_bytes(dir / "bad.gz", gz);
  // Random pixels deflate to stored blocks, so the damage shows in the CRC at the stream's end.
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "bad.gz"); }),
            dir / "bad.gz" + ": corrupt gzip data: incorrect data check");
}

TEST(Idx, TrailingDataMeansTheHeaderIsWrong) {
  TempDir dir;
  testing::write_bytes(dir / "labels", idx_bytes(kLabels, {2}, {1, 2, 3}));
  EXPECT_EQ(error_of([&] { read_idx_labels(dir / "labels", 10); }),
            dir / "labels" + ": trailing data after 2 labels (is the header's size wrong?)");
}

TEST(Idx, EmptyAndImplausibleHeadersAreRejected) {
  TempDir dir;
  testing::write_bytes(dir / "empty", idx_bytes(kImages, {0, 28, 28}, {}));
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "empty"); }),
            dir / "empty" + ": empty: the header declares 0 images of 28×28 pixels");
  testing::write_bytes(dir / "huge", idx_bytes(kImages, {0xffffffff, 0xffffffff, 28}, {1, 2}));
  EXPECT_EQ(error_of([&] { read_idx_images(dir / "huge"); }),
            dir / "huge" +
                ": the header declares 4294967295 images of 4294967295×28 pixels, over 2^40 bytes "
                "(corrupt header?)");
}

TEST(Idx, CountMismatchNamesBothFiles) {
  TempDir dir;
  testing::write_bytes(dir / "images", idx_bytes(kImages, {2, 3, 4}, pixels_2x3x4()));
  testing::write_bytes(dir / "labels", idx_bytes(kLabels, {3}, {1, 2, 3}));
  EXPECT_EQ(error_of([&] { load_idx(dir / "images", dir / "labels", 10); }),
            dir / "labels" + ": 3 labels for 2 images in " + dir / "images");
}

TEST(Idx, LabelOutOfRangeNamesItsIndex) {
  TempDir dir;
  testing::write_bytes(dir / "labels", idx_bytes(kLabels, {3}, {9, 10, 0}));
  EXPECT_EQ(error_of([&] { read_idx_labels(dir / "labels", 10); }),
            dir / "labels" + ": label 10 at index 1 is outside [0, 10)");
  EXPECT_THAT(read_idx_labels(dir / "labels", 11), ElementsAre(9, 10, 0));
}

}  // namespace
}  // namespace occam::data
