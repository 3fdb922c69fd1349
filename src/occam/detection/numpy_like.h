// The few numpy behaviours the reference evaluators depend on, written down once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace occam::detection {

// np.spacing(1): the gap from 1.0 to the next double, 2^-52 (cocoeval's precision denominator).
inline constexpr double kNumpySpacing1 = 2.220446049250313e-16;
// np.finfo(np.float64).eps (the devkit's precision denominator floor), the same value.
inline constexpr double kNumpyEps = 2.220446049250313e-16;

// np.argsort(-x, kind='mergesort'): indices by descending x, ties in input order.
inline std::vector<size_t> stable_argsort_descending(const std::vector<double>& x) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] > x[b]; });
  return order;
}

namespace detail {
// numpy's pairwise_sum_DOUBLE (umath loops): 8 accumulators up to 128 values, halves above.
inline double pairwise_sum(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}
}  // namespace detail

// np.sum / np.add.reduce of a contiguous 1-D double array: the first element, plus the pairwise
// sum of the rest.
inline double numpy_sum(const std::vector<double>& x) {
  if (x.empty()) return 0.;
  return x[0] + detail::pairwise_sum(x.data() + 1, x.size() - 1);
}

}  // namespace occam::detection
