#include "occam/tensor/gemm.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include "occam/error.h"
#include "occam/tensor/kernel_time.h"

namespace occam::kernels {

void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {  // oneDNN rejects K = 0; the product is empty, so C = beta·C.
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.f ? 0.f : beta * C[i * ldc + j];
    return;
  }
  // A small product runs on the calling thread alone: waking the other threads costs more than
  // they save (the 10-wide output layer: 7-14 µs on one thread, 40-50 µs on two; bench/RESULTS.md).
  const int64_t start = clock_ns();
  const bool small = double(M) * double(N) * double(K) < kSmallGemmMacs;
  const int threads = omp_get_max_threads();
  if (small && threads > 1) omp_set_num_threads(1);
  const dnnl_status_t status =
      dnnl_sgemm(ta == Trans::transpose ? 'T' : 'N', tb == Trans::transpose ? 'T' : 'N', M, N, K,
                 alpha, A, lda, B, ldb, beta, C, ldc);
  if (small && threads > 1) omp_set_num_threads(threads);
  count_gemm_call(start, 2.0 * double(M) * double(N) * double(K));
  OCCAM_CHECK(status == dnnl_success, "gemm: oneDNN sgemm failed with status ", int(status),
              " for M=", M, " N=", N, " K=", K);
}

namespace reference {
void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k) {
        const float a = ta == Trans::none ? A[i * lda + k] : A[k * lda + i];
        const float b = tb == Trans::none ? B[k * ldb + j] : B[j * ldb + k];
        acc += double(a) * b;
      }
      float& c = C[i * ldc + j];
      c = float(alpha * acc + (beta == 0.f ? 0.0 : double(beta) * c));
    }
}
}  // namespace reference

}  // namespace occam::kernels
