#include "occam/data/dataset.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "testing/testing.h"

namespace occam::data {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing::error_of;
using ::testing::HasSubstr;

// n samples of shape [2, 3]; every value of sample i is i + k/10 (k = 0…5), label i % 3, so a
// batch row can be traced back to its sample.
Dataset numbered(int64_t n) {
  Dataset d{Tensor::empty({n, 2, 3}), {}, 3, {}};
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < 6; ++k) d.inputs[i * 6 + k] = static_cast<float>(i) + k / 10.f;
    d.labels.push_back(i % 3);
  }
  return d;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// Every batch of one epoch; checks each batch's rows and labels against its indices.
std::vector<Batch> epoch_batches(Batcher& batcher, const Dataset& d, int64_t epoch) {
  batcher.start_epoch(epoch);
  std::vector<Batch> batches;
  Batch b;
  while (batcher.next(b)) {
    EXPECT_EQ(b.inputs.shape(), (Shape{b.size(), 2, 3}));
    for (int64_t r = 0; r < b.size(); ++r) {
      EXPECT_EQ(b.labels[r], d.labels[b.indices[r]]);
      for (int64_t k = 0; k < 6; ++k)
        EXPECT_EQ(b.inputs[r * 6 + k], d.inputs[b.indices[r] * 6 + k]);
    }
    batches.push_back({.inputs = b.inputs.clone(), .indices = b.indices, .labels = b.labels});
  }
  return batches;
}

std::vector<int64_t> order_of(const std::vector<Batch>& batches) {
  std::vector<int64_t> order;
  for (const Batch& b : batches) order.insert(order.end(), b.indices.begin(), b.indices.end());
  return order;
}

TEST(Shuffle, IsFisherYatesDrivenByRngBelow) {
  // Pinned: computed by an independent Python xoshiro256** + Lemire + Fisher–Yates. If this
  // changes, every seeded run's batch order changes with it.
  std::vector<int64_t> v = iota(10);
  Rng rng(42);
  shuffle(v, rng);
  EXPECT_THAT(v, ElementsAre(9, 1, 4, 2, 8, 7, 6, 5, 3, 0));
}

TEST(Batcher, EpochOrderDependsOnlyOnSeedAndEpoch) {
  const Dataset d = numbered(10);
  Batcher a(d, {.batch_size = 4}, Rng(7));
  Batcher b(d, {.batch_size = 4}, Rng(7));
  Batcher c(d, {.batch_size = 4}, Rng(8));
  const std::vector<int64_t> a0 = order_of(epoch_batches(a, d, 0));
  const std::vector<int64_t> a1 = order_of(epoch_batches(a, d, 1));
  EXPECT_THAT(a0, ElementsAre(8, 3, 9, 7, 0, 5, 2, 6, 4, 1));  // same Python reference
  EXPECT_THAT(a1, ElementsAre(0, 2, 3, 1, 9, 6, 7, 4, 8, 5));
  // A resumed run that starts at epoch 1 sees epoch 1's order; a replayed epoch 0 is unchanged.
  EXPECT_EQ(order_of(epoch_batches(b, d, 1)), a1);
  EXPECT_EQ(order_of(epoch_batches(b, d, 0)), a0);
  EXPECT_NE(order_of(epoch_batches(c, d, 0)), a0);
}

TEST(Batcher, EachSampleAppearsExactlyOncePerEpoch) {
  const Dataset d = numbered(103);
  Batcher batcher(d, {.batch_size = 10}, Rng(1));
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    std::vector<int64_t> order = order_of(epoch_batches(batcher, d, epoch));
    EXPECT_NE(order, iota(103));
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, iota(103)) << "epoch " << epoch;
  }
}

TEST(Batcher, KeepsOrDropsTheLastPartialBatch) {
  const Dataset d = numbered(10);
  Batcher keep(d, {.batch_size = 4}, Rng(1));
  Batcher drop(d, {.batch_size = 4, .drop_last = true}, Rng(1));
  std::vector<int64_t> kept, dropped;
  for (const Batch& b : epoch_batches(keep, d, 0)) kept.push_back(b.size());
  for (const Batch& b : epoch_batches(drop, d, 0)) dropped.push_back(b.size());
  EXPECT_THAT(kept, ElementsAre(4, 4, 2));
  EXPECT_THAT(dropped, ElementsAre(4, 4));
  EXPECT_EQ(keep.batches_per_epoch(), 3);
  EXPECT_EQ(drop.batches_per_epoch(), 2);
}

TEST(Batcher, WithoutShuffleServesTheDatasetInOrder) {
  const Dataset d = numbered(5);
  Batcher batcher(d, {.batch_size = 2, .shuffle = false}, Rng(1));
  EXPECT_EQ(order_of(epoch_batches(batcher, d, 3)), iota(5));
}

TEST(Batcher, ReusesTwoBuffersAcrossEpochs) {
  // Full batches and the last partial one each get a buffer in the first epoch; later epochs
  // swap between the two and allocate nothing.
  const Dataset d = numbered(10);
  Batcher batcher(d, {.batch_size = 4}, Rng(1));
  Batch b;
  std::set<const float*> first, later;
  batcher.start_epoch(0);
  while (batcher.next(b)) first.insert(b.inputs.data());
  for (int64_t epoch = 1; epoch < 3; ++epoch) {
    batcher.start_epoch(epoch);
    while (batcher.next(b)) later.insert(b.inputs.data());
  }
  EXPECT_EQ(first.size(), 2u);
  EXPECT_EQ(later, first);
}

TEST(Batcher, RejectsMisuse) {
  Dataset d = numbered(4);
  EXPECT_THAT(error_of([&] { Batcher(d, {.batch_size = 0}, Rng(1)); }),
              HasSubstr("batcher: batch_size must be >= 1, got 0"));
  Batcher batcher(d, {}, Rng(1));
  Batch b;
  EXPECT_THAT(error_of([&] { batcher.next(b); }),
              HasSubstr("batcher: call start_epoch() before next()"));
  d.labels.pop_back();
  EXPECT_THAT(error_of([&] { Batcher(d, {}, Rng(1)); }),
              HasSubstr("dataset: expected inputs [N, ...] with N = 3 labels, got [4,2,3]"));
  d.labels.push_back(3);
  EXPECT_THAT(error_of([&] { Batcher(d, {}, Rng(1)); }),
              HasSubstr("dataset: label 3 of sample 3 is outside [0, 3)"));
}

// Rank r of N takes the r-th contiguous part of each global batch of N·B samples of the one
// global order: together the ranks see exactly what one batcher of batch N·B sees.
TEST(Batcher, ShardsSplitTheSameGlobalOrder) {
  const Dataset d = numbered(23);
  Batcher global(d, {.batch_size = 6}, Rng(9));
  Batcher r0(d, {.batch_size = 3, .shard_index = 0, .shard_count = 2}, Rng(9));
  Batcher r1(d, {.batch_size = 3, .shard_index = 1, .shard_count = 2}, Rng(9));
  for (int64_t epoch : {0, 4}) {
    const auto g = epoch_batches(global, d, epoch), a = epoch_batches(r0, d, epoch),
               b = epoch_batches(r1, d, epoch);
    // 23 = 6+6+6+5: four steps; the last global batch of 5 splits 2 + 3 ([0, 5/2) and [5/2, 5)).
    ASSERT_EQ(g.size(), 4u);
    ASSERT_EQ(a.size(), 4u);
    ASSERT_EQ(b.size(), 4u);
    for (size_t k = 0; k < g.size(); ++k) {
      std::vector<int64_t> joined = a[k].indices;
      joined.insert(joined.end(), b[k].indices.begin(), b[k].indices.end());
      EXPECT_EQ(joined, g[k].indices) << "step " << k;
    }
    EXPECT_EQ(a.back().size(), 2);
    EXPECT_EQ(b.back().size(), 3);
  }
  EXPECT_EQ(r0.batches_per_epoch(), 4);
  // A last global batch with fewer samples than ranks is dropped on every rank: 25 = 4·6 + 1.
  const Dataset e = numbered(25);
  for (int64_t r = 0; r < 2; ++r) {
    Batcher rank(e, {.batch_size = 3, .shard_index = r, .shard_count = 2}, Rng(9));
    EXPECT_EQ(rank.batches_per_epoch(), 4);
    EXPECT_EQ(epoch_batches(rank, e, 0).size(), 4u);
  }
  EXPECT_THAT(error_of([&] { Batcher(e, {.shard_index = 2, .shard_count = 2}, Rng(1)); }),
              HasSubstr("batcher: shard 2 of 2 does not exist"));
}

TEST(SplitValidation, HoldsOutADisjointSeededFraction) {
  const Dataset d = numbered(100);
  Rng rng(5);
  const ValidationSplit s = split_validation(d, 0.2, rng);
  ASSERT_EQ(s.train.size(), 80);
  ASSERT_EQ(s.validation.size(), 20);
  EXPECT_EQ(s.validation.inputs.shape(), (Shape{20, 2, 3}));
  // Sample i's first value is i: recover which samples went where.
  auto ids = [](const Dataset& part) {
    std::vector<int64_t> v;
    for (int64_t r = 0; r < part.size(); ++r) {
      const auto i = static_cast<int64_t>(part.inputs[r * 6]);
      EXPECT_EQ(part.labels[r], i % 3);
      EXPECT_EQ(part.inputs[r * 6 + 5], static_cast<float>(i) + 0.5f);
      v.push_back(i);
    }
    return v;
  };
  const std::vector<int64_t> train = ids(s.train), val = ids(s.validation);
  EXPECT_TRUE(std::is_sorted(train.begin(), train.end()));  // each part keeps the dataset order
  EXPECT_TRUE(std::is_sorted(val.begin(), val.end()));
  std::vector<int64_t> all = train;
  all.insert(all.end(), val.begin(), val.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, iota(100));   // disjoint and complete
  EXPECT_LT(val.front(), 80);  // shuffled, not the last 20

  Rng same(5), other(6);
  EXPECT_EQ(ids(split_validation(d, 0.2, same).validation), val);
  EXPECT_NE(ids(split_validation(d, 0.2, other).validation), val);
}

TEST(SplitValidation, RoundsTheFractionAndKeepsATrainingSample) {
  const Dataset d = numbered(10);
  Rng rng(1);
  EXPECT_EQ(split_validation(d, 0.25, rng).validation.size(), 3);  // round(2.5) = 3, away from 0
  EXPECT_EQ(split_validation(d, 0.0, rng).validation.size(), 0);
  EXPECT_THAT(error_of([&] { split_validation(d, 0.97, rng); }),
              HasSubstr("split_validation: fraction 0.97 of 10 samples would hold out 10, leaving "
                        "no training sample"));
  EXPECT_THAT(error_of([&] { split_validation(d, 1.0, rng); }),
              HasSubstr("split_validation: fraction must be in [0, 1), got 1"));
}

TEST(Subset, CopiesTheChosenSamplesInTheGivenOrder) {
  const Dataset d = numbered(5);
  const Dataset s = subset(d, std::vector<int64_t>{4, 1});
  EXPECT_THAT(s.labels, ElementsAre(1, 1));
  EXPECT_EQ(s.inputs.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(s.inputs[0], 4.f);
  EXPECT_EQ(s.inputs[6 + 2], 1.2f);
  EXPECT_EQ(s.num_classes, 3);
}

}  // namespace
}  // namespace occam::data
