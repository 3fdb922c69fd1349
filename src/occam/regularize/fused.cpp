// The fused L1/L2 pass, compiled with -ffp-contract=off (CMakeLists.txt): the gradient is added
// as dw + (penalty gradient), one rounding of a sum of two rounded floats, whether dw already
// holds the data gradient (Occam applies penalties after backward) or zeros. The products that
// are meant to be fused are written as std::fma, so every rounding is the code's, not the
// compiler's choice: the same bits as the pass had when it ran on a zeroed buffer before backward.
#include <algorithm>
#include <cmath>
#include <vector>

#include "occam/regularize/regularizer.h"
#include "occam/tensor/parallel.h"

namespace occam::regularize {

namespace {
// The fused L1/L2 pass is split into tasks of this many elements (tensor/parallel.h).
constexpr int64_t kPenaltyChunk = 1 << 16;
constexpr int kLanes = 32;  // running sums per chunk
}  // namespace

// The same penalty without the tape: one pass over w, gradient added into dw.
//   dw += λ1·sign(w) + 2·f·λ2·w      (sign(0) = 0)
// The pass is cut into chunks of kPenaltyChunk elements run by the task pool; each chunk sums in
// double, and the chunk sums are added in order, so the value does not depend on the threads.
std::optional<float> L1L2::add_penalty_gradient(const Tensor& w, Tensor& dw) const {
  OCCAM_CHECK(w.shape() == dw.shape(), kind(), ": gradient buffer ", dw.shape(), " for weight ",
              w.shape());
  const float l1 = l1_, l2 = l2_factor(convention_) * l2_, two_l2 = 2.f * l2;
  const float* pw = w.data();
  float* pd = dw.data();
  const int64_t n = w.numel();
  const int64_t chunks = std::max<int64_t>(1, (n + kPenaltyChunk - 1) / kPenaltyChunk);
  std::vector<double> sum_abs(size_t(chunks), 0.0), sum_sq(size_t(chunks), 0.0);
  kernels::parallel_tasks(chunks, [&](int64_t k) {
    const int64_t lo = k * kPenaltyChunk, m = std::min(n, lo + kPenaltyChunk) - lo;
    // Locals, not the captured variables: with those the loops do not vectorize.
    const float* __restrict x = pw + lo;
    float* __restrict d = pd + lo;
    const float c1 = l1, c2 = two_l2;
    // kLanes running sums: independent chains, so the double adds do not wait on each other.
    double sa[kLanes] = {}, sq[kLanes] = {};
    const int64_t whole = m / kLanes * kLanes;
    if (c1 == 0.f) {  // L2 alone (the common case): no sign and no Σ|w|
      for (int64_t i = 0; i < whole; i += kLanes)
#pragma omp simd
        for (int j = 0; j < kLanes; ++j) {
          const float v = x[i + j];
          sq[j] = std::fma(double(v), double(v), sq[j]);
          d[i + j] = d[i + j] + c2 * v;
        }
      for (int64_t i = whole; i < m; ++i) {
        sq[i - whole] = std::fma(double(x[i]), double(x[i]), sq[i - whole]);
        d[i] = d[i] + c2 * x[i];
      }
    } else {
      for (int64_t i = 0; i < whole; i += kLanes)
#pragma omp simd
        for (int j = 0; j < kLanes; ++j) {
          const float v = x[i + j];
          sa[j] += double(v < 0.f ? -v : v);
          sq[j] = std::fma(double(v), double(v), sq[j]);
          const float sign = v > 0.f ? 1.f : (v < 0.f ? -1.f : 0.f);
          d[i + j] = d[i + j] + std::fma(c2, v, c1 * sign);
        }
      for (int64_t i = whole; i < m; ++i) {
        const float v = x[i];
        sa[i - whole] += double(v < 0.f ? -v : v);
        sq[i - whole] = std::fma(double(v), double(v), sq[i - whole]);
        d[i] = d[i] + std::fma(c2, v, c1 * (v > 0.f ? 1.f : (v < 0.f ? -1.f : 0.f)));
      }
    }
    double a = 0, q = 0;
    for (int j = 0; j < kLanes; ++j) {
      a += sa[j];
      q += sq[j];
    }
    sum_abs[size_t(k)] = a;
    sum_sq[size_t(k)] = q;
  });
  double total_abs = 0, total_sq = 0;
  for (int64_t k = 0; k < chunks; ++k) {
    total_abs += sum_abs[size_t(k)];
    total_sq += sum_sq[size_t(k)];
  }
  float value = 0.f;
  if (l1_ != 0.f) value = l1 * float(total_abs);
  if (l2_ != 0.f) value = std::fma(l2, float(total_sq), value);
  return value;
}

}  // namespace occam::regularize
