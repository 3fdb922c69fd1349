#include "occam/log/histogram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace occam::tensorboard {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Numbers from SPEC-tfevents.md §7.2 (TensorFlow's InitDefaultBucketsInner).
TEST(Histogram, DefaultLimitsAreTensorFlows) {
  const std::vector<double>& limits = default_bucket_limits();
  ASSERT_EQ(limits.size(), 1551u);
  EXPECT_EQ(limits[0], -DBL_MAX);
  EXPECT_EQ(limits[774], -1.0e-12);
  EXPECT_EQ(limits[775], 0.0);
  EXPECT_EQ(limits[776], 1.0e-12);
  EXPECT_EQ(limits[1549], 9.920775621859783e19);
  EXPECT_EQ(limits[1550], DBL_MAX);
  for (size_t i = 1; i < limits.size(); ++i) {
    ASSERT_LT(limits[i - 1], limits[i]) << "at " << i;
    ASSERT_EQ(limits[i], -limits[limits.size() - 1 - i]) << "at " << i;
  }
}

TEST(Histogram, ZerosFallInTheBucketEndingAt1e12) {
  const float values[] = {0.f, 0.f, 0.f};
  tb::HistogramProto h = make_histogram(values);
  EXPECT_THAT(h.bucket_limit(), ElementsAre(1.0e-12));
  EXPECT_THAT(h.bucket(), ElementsAre(3.0));
  EXPECT_EQ(h.min(), 0.0);
  EXPECT_EQ(h.max(), 0.0);
  EXPECT_EQ(h.num(), 3.0);
}

// -1 and 1: one empty run between them becomes one entry (its last limit, count 0), and there is
// no empty bucket at either end. Limits: 1e-12·1.1^289 = 0.917246389039776 and ·1.1^290.
TEST(Histogram, EmptyRunBetweenValuesIsOneEntryAndEndsAreNotEmpty) {
  const float values[] = {1.f, -1.f};
  tb::HistogramProto h = make_histogram(values);
  EXPECT_THAT(h.bucket_limit(),
              ElementsAre(-0.917246389039776, 0.917246389039776, 1.0089710279437536));
  EXPECT_THAT(h.bucket(), ElementsAre(1.0, 0.0, 1.0));
  EXPECT_EQ(h.min(), -1.0);
  EXPECT_EQ(h.max(), 1.0);
  EXPECT_EQ(h.num(), 2.0);
  EXPECT_EQ(h.sum(), 0.0);
  EXPECT_EQ(h.sum_squares(), 2.0);
}

TEST(Histogram, LeavesOutNonFiniteValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float values[] = {2.f, std::nanf(""), inf, -inf, 3.f};
  tb::HistogramProto h = make_histogram(values);
  EXPECT_EQ(h.num(), 2.0);
  EXPECT_EQ(h.sum(), 5.0);
  EXPECT_EQ(h.sum_squares(), 13.0);
  EXPECT_EQ(h.min(), 2.0);
  EXPECT_EQ(h.max(), 3.0);
}

TEST(Histogram, NoFiniteValueGivesNoBuckets) {
  const float values[] = {std::nanf("")};
  tb::HistogramProto h = make_histogram(values);
  EXPECT_EQ(h.num(), 0.0);
  EXPECT_THAT(h.bucket(), IsEmpty());
  EXPECT_THAT(make_histogram({}).bucket_limit(), IsEmpty());
}

// Every value lies in its bucket: above the previous entry's limit (or equal to min for the
// first), below its own limit.
TEST(Histogram, NormalSampleCountsEveryValueOnce) {
  std::mt19937 gen(7);
  std::normal_distribution<float> normal(0.f, 3.f);
  std::vector<float> values(5000);
  for (float& v : values) v = normal(gen);
  tb::HistogramProto h = make_histogram(values);
  ASSERT_EQ(h.bucket_size(), h.bucket_limit_size());
  ASSERT_GT(h.bucket_size(), 2);
  EXPECT_GT(h.bucket(0), 0.0);
  EXPECT_GT(h.bucket(h.bucket_size() - 1), 0.0);
  double total = 0;
  for (int i = 0; i < h.bucket_size(); ++i) {
    total += h.bucket(i);
    if (i > 0) EXPECT_LT(h.bucket_limit(i - 1), h.bucket_limit(i));
    double in_bucket = 0;
    for (float v : values)
      if (v < h.bucket_limit(i) && (i == 0 || v >= h.bucket_limit(i - 1))) ++in_bucket;
    EXPECT_EQ(h.bucket(i), in_bucket) << "bucket " << i << " up to " << h.bucket_limit(i);
  }
  EXPECT_EQ(total, 5000.0);
  EXPECT_EQ(h.num(), 5000.0);
}

}  // namespace
}  // namespace occam::tensorboard
