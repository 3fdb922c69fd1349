// Histograms with TensorFlow's default buckets (SPEC-tfevents.md §7.2; [TF]
// tsl/lib/histogram/histogram.cc): limits ±1e-12·1.1^k below 1e20, 0 and ±DBL_MAX, 1551 in all.
// Encoded with no empty bucket at either end, so both TensorBoard loaders show the same buckets.
#pragma once

#include <span>
#include <vector>

#include "occam/log/summary.pb.h"

namespace occam::tensorboard {

// The 1551 increasing limits: -DBL_MAX, -9.92e19, ..., -1e-12, 0, 1e-12, ..., 9.92e19, DBL_MAX.
// A value v is counted in the first bucket whose limit is greater than v.
const std::vector<double>& default_bucket_limits();

// min, max, num, sum, sum_squares and the non-empty buckets of the finite values. NaN and ±inf
// are left out (TensorFlow's histogram op refuses them), so num may be less than values.size();
// with no finite value, num is 0 and there are no buckets.
// Runs of empty buckets between non-empty ones become one entry (the run's last limit, count 0),
// as TensorFlow's EncodeToProto does.
tb::HistogramProto make_histogram(std::span<const float> values);

}  // namespace occam::tensorboard
