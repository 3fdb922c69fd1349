#include "occam/tensor/gemm.h"

#include <omp.h>

#include <oneapi/dnnl/dnnl.h>
#include <algorithm>
#include <atomic>

#include "occam/error.h"
#include "occam/tensor/kernel_time.h"
#include "occam/tensor/parallel.h"

namespace occam::kernels {
namespace {

dnnl_status_t sgemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float alpha,
                    const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                    int64_t ldc) {
  return dnnl_sgemm(ta == Trans::transpose ? 'T' : 'N', tb == Trans::transpose ? 'T' : 'N', M, N, K,
                    alpha, A, lda, B, ldb, beta, C, ldc);
}

// The tiles of a large product: slices of C's longer side, whole multiples of 16 elements
// (64 bytes) except the last, at least kTileMacs multiply-adds each and at most kMaxTiles.
// They depend on the shape only, never on the thread count, so the numbers do not either.
struct Tiles {
  bool along_n;
  int64_t extent, count;
  int64_t begin(int64_t i) const {
    if (i >= count) return extent;
    return (extent * i / count) / 16 * 16;
  }
};

Tiles tiles_for(int64_t M, int64_t N, double macs) {
  Tiles t{N >= M, N >= M ? N : M, 1};
  const int64_t by_work = int64_t(macs / kTileMacs);
  t.count = std::clamp<int64_t>(std::min(by_work, t.extent / 16), 1, kMaxTiles);
  return t;
}

}  // namespace

void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {  // oneDNN rejects K = 0; the product is empty, so C = beta·C.
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.f ? 0.f : beta * C[i * ldc + j];
    return;
  }
  const int64_t start = clock_ns();
  const int threads = omp_get_max_threads();
  const double macs = double(M) * double(N) * double(K);
  dnnl_status_t status = dnnl_success;
  if (macs < kSmallGemmMacs || threads == 1) {
    // A small product runs on the calling thread alone: waking another thread costs more than
    // it saves (the 10-wide output layer: 7-14 µs on one thread, 40-50 µs on two).
    if (threads > 1) omp_set_num_threads(1);
    status = sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if (threads > 1) omp_set_num_threads(threads);
  } else {
    // A large one is cut into tiles of C, each a one-thread sgemm, that Occam's pool hands out
    // one at a time (tensor/parallel.h says why that beats oneDNN's own OpenMP split here).
    const Tiles t = tiles_for(M, N, macs);
    std::atomic<int> failed{0};
    parallel_tasks(t.count, [&](int64_t i) {
      const int64_t lo = t.begin(i), hi = t.begin(i + 1);
      dnnl_status_t s;
      if (t.along_n) {  // columns [lo, hi) of C and of op(B)
        const float* Bt = tb == Trans::none ? B + lo : B + lo * ldb;
        s = sgemm(ta, tb, M, hi - lo, K, alpha, A, lda, Bt, ldb, beta, C + lo, ldc);
      } else {  // rows [lo, hi) of C and of op(A)
        const float* At = ta == Trans::none ? A + lo * lda : A + lo;
        s = sgemm(ta, tb, hi - lo, N, K, alpha, At, lda, B, ldb, beta, C + lo * ldc, ldc);
      }
      if (s != dnnl_success) failed.store(int(s));
    });
    if (failed.load() != 0) status = dnnl_status_t(failed.load());
  }
  count_gemm_call(start, 2.0 * macs);
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
