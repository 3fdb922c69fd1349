#include "occam/log/histogram.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>

namespace occam::tensorboard {

namespace {

// [TF] InitDefaultBucketsInner: start at 1e-12, multiply by 1.1 while below 1e20 (774 limits),
// then DBL_MAX; mirror it for the negatives around 0.
std::vector<double> make_default_limits() {
  std::vector<double> positive;
  for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) positive.push_back(v);
  positive.push_back(DBL_MAX);
  std::vector<double> limits;
  limits.reserve(2 * positive.size() + 1);
  for (auto it = positive.rbegin(); it != positive.rend(); ++it) limits.push_back(-*it);
  limits.push_back(0.0);
  limits.insert(limits.end(), positive.begin(), positive.end());
  return limits;
}

}  // namespace

const std::vector<double>& default_bucket_limits() {
  static const std::vector<double> limits = make_default_limits();
  return limits;
}

tb::HistogramProto make_histogram(std::span<const float> values) {
  const std::vector<double>& limits = default_bucket_limits();
  std::vector<int64_t> counts(limits.size(), 0);
  double lo = DBL_MAX, hi = -DBL_MAX, sum = 0, sum_squares = 0;
  int64_t num = 0;
  for (float f : values) {
    if (!std::isfinite(f)) continue;
    const double v = f;
    const size_t bucket = std::upper_bound(limits.begin(), limits.end(), v) - limits.begin();
    ++counts[bucket];  // bucket < size: every finite float is below the last limit, DBL_MAX
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
    sum_squares += v * v;
    ++num;
  }

  tb::HistogramProto h;
  if (num == 0) return h;
  h.set_min(lo);
  h.set_max(hi);
  h.set_num(static_cast<double>(num));
  h.set_sum(sum);
  h.set_sum_squares(sum_squares);
  const auto nonzero = [](int64_t c) { return c > 0; };
  const size_t first = std::find_if(counts.begin(), counts.end(), nonzero) - counts.begin();
  const size_t last = counts.rend() - std::find_if(counts.rbegin(), counts.rend(), nonzero) - 1;
  for (size_t i = first; i <= last; ++i) {
    if (counts[i] == 0 && counts[i + 1] == 0) continue;  // inside a run of empty buckets
    h.add_bucket_limit(limits[i]);
    h.add_bucket(static_cast<double>(counts[i]));
  }
  return h;
}

}  // namespace occam::tensorboard
