#include "occam/tensor/epilogue.h"

#include <algorithm>

namespace occam::kernels {

namespace {
// These passes are memory-bound and short; below this many elements waking a second thread
// costs more than it saves.
constexpr int64_t kParallelMin = 1 << 18;
}  // namespace

void broadcast_rows(float* y, const float* b, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) std::copy(b, b + cols, y + i * cols);
}

void relu_inplace(float* __restrict y, int64_t n) {
#pragma omp parallel for simd if (parallel : n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) y[i] = y[i] > 0.f ? y[i] : 0.f;
}

void relu_backward(float* g, const float* dy, const float* __restrict y, int64_t n) {
#pragma omp parallel for simd if (parallel : n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    const float d = dy[i];  // read unconditionally, so the select vectorizes
    g[i] = y[i] > 0.f ? d : 0.f;
  }
}

void add_column_sums(float* __restrict db, const float* __restrict g, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* __restrict row = g + i * cols;
#pragma omp simd
    for (int64_t j = 0; j < cols; ++j) db[j] += row[j];
  }
}

}  // namespace occam::kernels
