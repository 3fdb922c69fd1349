// Matrix products on row-major float buffers: C[M,N] = alpha·op(A)·op(B) + beta·C,
// op(X) = X or Xᵀ. The fast path is oneDNN's sgemm (JIT, AVX-512 here), large products cut into
// tiles run by Occam's task pool; the reference loop is the oracle in tests.
#pragma once

#include <cstdint>

namespace occam::kernels {

enum class Trans { none, transpose };

// Products of fewer multiply-adds than this run on one thread (the others stay asleep).
inline constexpr double kSmallGemmMacs = 2e6;
// Larger ones are cut into tiles of C of at least kTileMacs multiply-adds, at most kMaxTiles,
// run by the task pool (tensor/parallel.h).
inline constexpr double kTileMacs = 4e6;
inline constexpr int64_t kMaxTiles = 4;

// A is op(A)=[M,K] stored with leading dimension lda (row stride), likewise B [K,N] and C [M,N].
void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

namespace reference {
void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
}

}  // namespace occam::kernels
