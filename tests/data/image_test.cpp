#include "occam/data/image.h"

#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/files.h"
#include "data/images.h"
#include "occam/error.h"

namespace occam::data {
namespace {

using ::testing::AllOf;
using testing::data_error;
using ::testing::HasSubstr;
using testing::TempDir;

// The message of the DataError that f throws ("" and a test failure if it throws none).
float at(const Tensor& t, int64_t c, int64_t y, int64_t x) {
  return t.data()[(c * t.shape()[1] + y) * t.shape()[2] + x];
}

TEST(Image, PngGray8ExactValues) {
  TempDir dir;
  // 3 wide, 2 high: row 0 = 0, 128, 255; row 1 = 1, 2, 254
  testing::write_png(dir / "g.png", 3, 2, PNG_COLOR_TYPE_GRAY, 8, {0, 128, 255, 1, 2, 254});
  const Tensor t = read_image(dir / "g.png");
  ASSERT_EQ(t.shape(), (Shape{1, 2, 3}));
  const std::vector<float> expected = {0.f, 128 / 255.f, 1.f, 1 / 255.f, 2 / 255.f, 254 / 255.f};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.data()[i], expected[i]) << i;
  const ImageInfo info = read_image_info(dir / "g.png");
  EXPECT_EQ(info.format, ImageFormat::png);
  EXPECT_EQ(info.width, 3);
  EXPECT_EQ(info.height, 2);
  EXPECT_EQ(info.channels, 1);
  EXPECT_EQ(info.bit_depth, 8);
}

TEST(Image, PngRgbIsChannelsFirst) {
  TempDir dir;
  // 2 wide, 1 high: pixel 0 = (10, 20, 30), pixel 1 = (40, 50, 60)
  testing::write_png(dir / "c.png", 2, 1, PNG_COLOR_TYPE_RGB, 8, {10, 20, 30, 40, 50, 60});
  const Tensor t = read_image(dir / "c.png");
  ASSERT_EQ(t.shape(), (Shape{3, 1, 2}));
  const std::vector<float> chw = {10, 40, 20, 50, 30, 60};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.data()[i], chw[i] / 255.f) << i;
  EXPECT_EQ(read_image_info(dir / "c.png").channels, 3);
}

TEST(Image, PngAlphaIsDropped) {
  TempDir dir;
  testing::write_png(dir / "a.png", 2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8,
                     {10, 20, 30, 0, 40, 50, 60, 255});
  const Tensor t = read_image(dir / "a.png");
  ASSERT_EQ(t.shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(at(t, 0, 0, 0), 10 / 255.f);  // the stored colour even where alpha is 0
  EXPECT_EQ(at(t, 2, 0, 1), 60 / 255.f);
  testing::write_png(dir / "ga.png", 2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, {7, 0, 9, 200});
  const Tensor g = read_image(dir / "ga.png");
  ASSERT_EQ(g.shape(), (Shape{1, 1, 2}));
  EXPECT_EQ(at(g, 0, 0, 0), 7 / 255.f);
  EXPECT_EQ(at(g, 0, 0, 1), 9 / 255.f);
  EXPECT_EQ(read_image_info(dir / "ga.png").channels, 1);
}

TEST(Image, PngPaletteExpandsToRgb) {
  TempDir dir;
  // 4-bit palette indices 2, 0, 1 into {(255,0,0), (0,255,0), (1,2,3)}
  testing::write_png(dir / "p.png", 3, 1, PNG_COLOR_TYPE_PALETTE, 4, {2, 0, 1},
                     {255, 0, 0, 0, 255, 0, 1, 2, 3});
  const Tensor t = read_image(dir / "p.png");
  ASSERT_EQ(t.shape(), (Shape{3, 1, 3}));
  EXPECT_EQ(at(t, 0, 0, 0), 1 / 255.f);
  EXPECT_EQ(at(t, 1, 0, 0), 2 / 255.f);
  EXPECT_EQ(at(t, 2, 0, 0), 3 / 255.f);
  EXPECT_EQ(at(t, 0, 0, 1), 1.f);
  EXPECT_EQ(at(t, 1, 0, 1), 0.f);
  EXPECT_EQ(at(t, 1, 0, 2), 1.f);
  const ImageInfo info = read_image_info(dir / "p.png");
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(info.bit_depth, 8);
}

TEST(Image, PngLowAndHighBitDepths) {
  TempDir dir;
  testing::write_png(dir / "b1.png", 3, 1, PNG_COLOR_TYPE_GRAY, 1, {1, 0, 1});
  const Tensor b1 = read_image(dir / "b1.png");
  EXPECT_EQ(at(b1, 0, 0, 0), 1.f);
  EXPECT_EQ(at(b1, 0, 0, 1), 0.f);
  testing::write_png(dir / "b4.png", 2, 1, PNG_COLOR_TYPE_GRAY, 4, {10, 3});
  const Tensor b4 = read_image(dir / "b4.png");
  EXPECT_FLOAT_EQ(at(b4, 0, 0, 0), 10 / 15.f);
  EXPECT_FLOAT_EQ(at(b4, 0, 0, 1), 3 / 15.f);
  testing::write_png(dir / "w.png", 2, 1, PNG_COLOR_TYPE_GRAY, 16, {1, 65535});
  const Tensor w = read_image(dir / "w.png");
  EXPECT_EQ(at(w, 0, 0, 0), 1 / 65535.f);  // not stripped to 8 bits (that would give 0)
  EXPECT_EQ(at(w, 0, 0, 1), 1.f);
  EXPECT_EQ(read_image_info(dir / "w.png").bit_depth, 16);
}

TEST(Image, RequestedChannels) {
  TempDir dir;
  testing::write_png(dir / "g.png", 1, 1, PNG_COLOR_TYPE_GRAY, 8, {51});
  const Tensor rgb = read_image(dir / "g.png", 3);
  ASSERT_EQ(rgb.shape(), (Shape{3, 1, 1}));
  for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb.data()[c], 51 / 255.f);
  testing::write_png(dir / "c.png", 1, 1, PNG_COLOR_TYPE_RGB, 8, {255, 0, 100});
  const Tensor gray = read_image(dir / "c.png", 1);
  ASSERT_EQ(gray.shape(), (Shape{1, 1, 1}));
  EXPECT_FLOAT_EQ(gray.data()[0], 0.299f + 0.114f * 100 / 255.f);
  EXPECT_THROW(read_image(dir / "c.png", 2), Error);
}

// A smooth RGB gradient survives JPEG at quality 95 within a few levels.
TEST(Image, JpegRgbWithinTolerance) {
  TempDir dir;
  const int W = 32, H = 16;
  std::vector<uint8_t> px(W * H * 3);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      px[(y * W + x) * 3 + 0] = static_cast<uint8_t>(x * 8);
      px[(y * W + x) * 3 + 1] = static_cast<uint8_t>(y * 16);
      px[(y * W + x) * 3 + 2] = 128;
    }
  testing::write_jpeg(dir / "c.jpg", W, H, 3, px);
  const Tensor t = read_image(dir / "c.jpg");
  ASSERT_EQ(t.shape(), (Shape{3, H, W}));
  float worst = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        worst = std::max(worst, std::abs(at(t, c, y, x) - px[(y * W + x) * 3 + c] / 255.f));
  EXPECT_LT(worst, 12 / 255.f);
  EXPECT_GT(at(t, 0, 0, W - 1), 0.9f);  // red grows along x: channels not swapped
  EXPECT_LT(at(t, 1, 0, W - 1), 0.1f);
  const ImageInfo info = read_image_info(dir / "c.jpg");
  EXPECT_EQ(info.format, ImageFormat::jpeg);
  EXPECT_EQ(info.width, W);
  EXPECT_EQ(info.height, H);
  EXPECT_EQ(info.channels, 3);
}

TEST(Image, JpegGray) {
  TempDir dir;
  std::vector<uint8_t> px(16 * 8, 200);
  testing::write_jpeg(dir / "g.jpg", 16, 8, 1, px);
  const Tensor t = read_image(dir / "g.jpg");
  ASSERT_EQ(t.shape(), (Shape{1, 8, 16}));
  for (float v : std::vector<float>(t.data(), t.data() + t.numel()))
    EXPECT_NEAR(v, 200 / 255.f, 2 / 255.f);
  EXPECT_EQ(read_image_info(dir / "g.jpg").channels, 1);
}

TEST(Image, TruncatedFilesNameTheFile) {
  TempDir dir;
  std::vector<uint16_t> px(64 * 64);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint16_t>(i * 7919 % 256);
  testing::write_png(dir / "full.png", 64, 64, PNG_COLOR_TYPE_GRAY, 8, px);
  auto bytes = testing::read_bytes(dir / "full.png");
  bytes.resize(bytes.size() / 2);
  testing::write_bytes(dir / "cut.png", bytes);
  EXPECT_THAT(data_error([&] { read_image(dir / "cut.png"); }),
              AllOf(HasSubstr(dir / "cut.png"), HasSubstr("bad PNG"), HasSubstr("truncated")));
  // Cut only the final IEND chunk: the pixels decode, the file is still incomplete.
  bytes = testing::read_bytes(dir / "full.png");
  bytes.resize(bytes.size() - 12);
  testing::write_bytes(dir / "no_end.png", bytes);
  EXPECT_THAT(data_error([&] { read_image(dir / "no_end.png"); }), HasSubstr("truncated"));
  bytes.resize(20);  // inside IHDR
  testing::write_bytes(dir / "head.png", bytes);
  EXPECT_THAT(data_error([&] { read_image_info(dir / "head.png"); }),
              AllOf(HasSubstr(dir / "head.png"), HasSubstr("truncated PNG")));

  std::vector<uint8_t> rgb(64 * 64 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 31 % 256);
  testing::write_jpeg(dir / "full.jpg", 64, 64, 3, rgb);
  auto jb = testing::read_bytes(dir / "full.jpg");
  jb.resize(jb.size() * 2 / 3);
  testing::write_bytes(dir / "cut.jpg", jb);
  EXPECT_THAT(data_error([&] { read_image(dir / "cut.jpg"); }),
              AllOf(HasSubstr(dir / "cut.jpg"), HasSubstr("bad JPEG"), HasSubstr("end")));
  jb.resize(30);  // inside the headers
  testing::write_bytes(dir / "head.jpg", jb);
  EXPECT_THAT(data_error([&] { read_image_info(dir / "head.jpg"); }),
              AllOf(HasSubstr(dir / "head.jpg"), HasSubstr("bad JPEG")));
}

TEST(Image, GarbageAndMissingFiles) {
  TempDir dir;
  testing::write_text(dir / "x.png", "hello, not an image");
  EXPECT_THAT(data_error([&] { read_image(dir / "x.png"); }),
              AllOf(HasSubstr(dir / "x.png"),
                    HasSubstr("not a PNG or JPEG file (starts with 68 65 6c 6c)")));
  EXPECT_THAT(data_error([&] { read_image_info(dir / "x.png"); }), HasSubstr("not a PNG or JPEG"));
  testing::write_text(dir / "g.jpg", "GIF89a.......");
  EXPECT_THAT(data_error([&] { read_image(dir / "g.jpg"); }), HasSubstr("(a GIF image)"));
  testing::write_text(dir / "empty.png", "");
  EXPECT_THAT(data_error([&] { read_image(dir / "empty.png"); }), HasSubstr("empty file"));
  EXPECT_THAT(data_error([&] { read_image(dir / "nope.png"); }),
              AllOf(HasSubstr(dir / "nope.png"), HasSubstr("cannot open")));
  EXPECT_THAT(data_error([&] { read_image_info(dir / "nope.png"); }), HasSubstr("cannot open"));

  // A JPEG start followed by noise: libjpeg's error comes back as a DataError, not exit().
  std::vector<uint8_t> junk = {0xFF, 0xD8, 0xFF, 0xE0};
  for (int i = 0; i < 200; ++i) junk.push_back(static_cast<uint8_t>(i * 37));
  testing::write_bytes(dir / "junk.jpg", junk);
  EXPECT_THAT(data_error([&] { read_image(dir / "junk.jpg"); }),
              AllOf(HasSubstr(dir / "junk.jpg"), HasSubstr("bad JPEG")));
  // A PNG signature followed by noise: libpng's longjmp comes back as a DataError.
  std::vector<uint8_t> pjunk = {137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  for (int i = 0; i < 200; ++i) pjunk.push_back(static_cast<uint8_t>(i * 37));
  testing::write_bytes(dir / "junk.png", pjunk);
  EXPECT_THAT(data_error([&] { read_image(dir / "junk.png"); }),
              AllOf(HasSubstr(dir / "junk.png"), HasSubstr("bad PNG")));
}

}  // namespace
}  // namespace occam::data
