// The elementwise ends of a dense layer's GEMM, over row-major y [rows, cols] and b [cols]:
// what is fused around the product instead of running as separate ops on the tape.
#pragma once

#include <cstdint>

namespace occam::kernels {

// y[i,j] = b[j] for every row (the GEMM then adds x·W with beta = 1).
void broadcast_rows(float* y, const float* b, int64_t rows, int64_t cols);
// y[i] = max(y[i], 0), in place.
void relu_inplace(float* y, int64_t n);
// g[i] = dy[i] where y[i] > 0, else 0: ReLU's backward, written (not accumulated) into g.
// g may be dy itself (in place).
void relu_backward(float* g, const float* dy, const float* y, int64_t n);
// db[j] += Σ_i g[i,j], rows summed in order.
void add_column_sums(float* db, const float* g, int64_t rows, int64_t cols);

}  // namespace occam::kernels
