// The tensor storage cache: blocks come back for the same sizes, aligned, and never shared.
#include "occam/tensor/storage.h"

#include <cstdint>

#include "occam/tensor/tensor.h"
#include "testing/testing.h"

namespace occam {
namespace {

TEST(Storage, AFreedBlockIsHandedOutAgainForTheSameSize) {
  release_cached_storage();
  const int64_t n = 100000;  // 400 KB: cached
  float* first = nullptr;
  {
    Tensor t = Tensor::empty({n});
    first = t.data();
  }
  const StorageStats before = storage_stats();
  Tensor again = Tensor::empty({n});
  EXPECT_EQ(again.data(), first);
  EXPECT_EQ(storage_stats().reused, before.reused + 1);
}

TEST(Storage, ASmallerRequestReusesABlockUpToOneAndAHalfTimesItsSize) {
  release_cached_storage();  // best fit: blocks left by other tests would be picked first
  float* big = nullptr;
  {
    Tensor t = Tensor::empty({120000});
    big = t.data();
  }
  Tensor smaller = Tensor::empty({96000});  // 1.25× smaller: takes the freed block
  EXPECT_EQ(smaller.data(), big);
  float* huge = nullptr;
  {
    Tensor t = Tensor::empty({400000});
    huge = t.data();
  }
  Tensor tiny = Tensor::empty({100000});  // 4× smaller: gets its own block
  EXPECT_NE(tiny.data(), huge);
}

TEST(Storage, LiveTensorsNeverShareABlockAndAreAligned) {
  Tensor a = Tensor::empty({50000});
  Tensor b = Tensor::empty({50000});
  EXPECT_NE(a.data(), b.data());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % 64, 0u);
  Tensor small = Tensor::empty({3});  // below the cache's minimum: straight from malloc
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data()) % 64, 0u);
}

TEST(Storage, ZerosAreZeroEvenInAReusedBlock) {
  { Tensor t = Tensor::full({70000}, 3.f); }
  Tensor z = Tensor::zeros({70000});
  for (int64_t i = 0; i < z.numel(); i += 997) ASSERT_EQ(z[i], 0.f) << "at " << i;
}

TEST(Storage, ReleaseEmptiesTheCache) {
  { Tensor t = Tensor::empty({80000}); }
  EXPECT_GT(storage_stats().cached_bytes, 0u);
  release_cached_storage();
  EXPECT_EQ(storage_stats().cached_bytes, 0u);
  EXPECT_EQ(storage_stats().cached_blocks, 0u);
}

}  // namespace
}  // namespace occam
