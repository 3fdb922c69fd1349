#include "occam/train/checkpoint.h"

#include <filesystem>
#include <fstream>

#include "testing/testing.h"

namespace occam::train {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string checkpoint_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

struct CheckpointTest : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("occam_ckpt_" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }
  Checkpoint sample() {
    Checkpoint c;
    c.header = {{"step", 42}, {"epoch", 1}};
    c.tensors["dense_1/kernel"] = Tensor::from({2, 3}, {1, -2, 3.5f, 0, 1e-30f, -0.f});
    c.tensors["dense_1/bias"] = Tensor::from({3}, {7, 8, 9});
    c.tensors["step"] = Tensor::scalar(3.f);
    return c;
  }
};

TEST_F(CheckpointTest, RoundTripsTensorsBitForBitAndTheHeader) {
  const std::string path = (dir / "a.ckpt").string();
  save_checkpoint(path, sample());
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const Checkpoint c = load_checkpoint(path);
  EXPECT_EQ(c.header["step"], 42);
  ASSERT_EQ(c.tensors.size(), 3u);
  const Tensor& k = c.tensors.at("dense_1/kernel");
  EXPECT_EQ(k.shape(), (Shape{2, 3}));
  EXPECT_EQ(std::memcmp(k.data(), sample().tensors["dense_1/kernel"].data(), 6 * sizeof(float)), 0);
  EXPECT_EQ(c.tensors.at("step").shape(), Shape{});
}

TEST_F(CheckpointTest, TruncatedFlippedMissingAndForeignFilesAreRejected) {
  const std::string path = (dir / "a.ckpt").string();
  save_checkpoint(path, sample());
  const auto size = fs::file_size(path);
  fs::copy_file(path, dir / "cut.ckpt");
  fs::resize_file(dir / "cut.ckpt", size / 2);
  EXPECT_THAT(checkpoint_error([&] { load_checkpoint((dir / "cut.ckpt").string()); }),
              HasSubstr("cut.ckpt: checkpoint is corrupt or truncated (CRC mismatch)"));
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(long(size) - 10);
    f.put('\x7f');
  }
  EXPECT_THAT(checkpoint_error([&] { load_checkpoint(path); }), HasSubstr("CRC mismatch"));
  EXPECT_THAT(checkpoint_error([&] { load_checkpoint((dir / "none.ckpt").string()); }),
              HasSubstr("none.ckpt: cannot open checkpoint"));
  std::ofstream(dir / "text.ckpt") << "hello, world";
  EXPECT_THAT(checkpoint_error([&] { load_checkpoint((dir / "text.ckpt").string()); }),
              HasSubstr("text.ckpt: not an Occam checkpoint"));
}

TEST_F(CheckpointTest, OverwriteReplacesAtomically) {
  const std::string path = (dir / "a.ckpt").string();
  save_checkpoint(path, sample());
  Checkpoint c = sample();
  c.header["step"] = 43;
  save_checkpoint(path, c);
  EXPECT_EQ(load_checkpoint(path).header["step"], 43);
}

}  // namespace
}  // namespace occam::train
