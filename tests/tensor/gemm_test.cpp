// GEMM: oneDNN's sgemm against the reference loop for every transpose, on both sides of the
// small-product threshold (small products run on one thread), and the kernel time counter.
#include "occam/tensor/gemm.h"

#include <cstring>
#include <tuple>

#include "occam/tensor/kernel_time.h"
#include "occam/tensor/rng.h"
#include "occam/tensor/tensor.h"
#include "occam/tensor/threads.h"
#include "testing/testing.h"

namespace occam::kernels {
namespace {

using occam::testing::Tol;

void expect_matches_reference(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float beta) {
  SCOPED_TRACE(::testing::Message() << "M=" << M << " N=" << N << " K=" << K << " ta="
                                    << int(ta) << " tb=" << int(tb) << " beta=" << beta);
  Rng rng(3);
  const Tensor A = testing::normal(ta == Trans::none ? Shape{M, K} : Shape{K, M}, rng);
  const Tensor B = testing::normal(tb == Trans::none ? Shape{K, N} : Shape{N, K}, rng);
  const Tensor C0 = testing::normal({M, N}, rng);
  Tensor fast = C0.clone(), ref = C0.clone();
  const int64_t lda = ta == Trans::none ? K : M, ldb = tb == Trans::none ? N : K;
  gemm(ta, tb, M, N, K, 1.f, A.data(), lda, B.data(), ldb, beta, fast.data(), N);
  reference::gemm(ta, tb, M, N, K, 1.f, A.data(), lda, B.data(), ldb, beta, ref.data(), N);
  EXPECT_TENSORS_NEAR(fast, ref, (Tol{1e-4, 1e-4}));
}

TEST(Gemm, MatchesTheReferenceForEveryTransposeSmallAndLarge) {
  const int threads = num_threads();
  set_num_threads(2);
  for (Trans ta : {Trans::none, Trans::transpose})
    for (Trans tb : {Trans::none, Trans::transpose}) {
      expect_matches_reference(ta, tb, 16, 10, 32, 0.f);     // small: one thread
      expect_matches_reference(ta, tb, 128, 10, 256, 1.f);   // the MLP's output layer (small)
      expect_matches_reference(ta, tb, 96, 200, 160, 1.f);   // large: tiles along N
      expect_matches_reference(ta, tb, 300, 40, 200, 1.f);   // large: tiles along M
      expect_matches_reference(ta, tb, 130, 1000, 40, 0.f);  // large: a last tile of 8 columns
    }
  EXPECT_EQ(num_threads(), 2) << "a small product must restore the thread count";
  set_num_threads(threads);
}

// The tiles of a large product depend on its shape only, and each element is computed by one
// one-thread sgemm call either way: 1 and 2 threads give the same bits.
TEST(Gemm, LargeProductsGiveTheSameBitsOnOneAndTwoThreads) {
  const int threads = num_threads();
  Rng rng(5);
  for (auto [ta, tb, M, N, K] : {std::tuple{Trans::none, Trans::none, 128, 512, 784},
                                 std::tuple{Trans::transpose, Trans::none, 784, 512, 128},
                                 std::tuple{Trans::none, Trans::transpose, 128, 512, 256},
                                 std::tuple{Trans::none, Trans::none, 128, 64, 300}}) {  // 1 tile
    const Tensor A = testing::normal(ta == Trans::none ? Shape{M, K} : Shape{K, M}, rng);
    const Tensor B = testing::normal(tb == Trans::none ? Shape{K, N} : Shape{N, K}, rng);
    const int64_t lda = ta == Trans::none ? K : M, ldb = tb == Trans::none ? N : K;
    Tensor one = Tensor::zeros({M, N}), two = Tensor::zeros({M, N});
    set_num_threads(1);
    gemm(ta, tb, M, N, K, 1.f, A.data(), lda, B.data(), ldb, 0.f, one.data(), N);
    set_num_threads(2);
    gemm(ta, tb, M, N, K, 1.f, A.data(), lda, B.data(), ldb, 0.f, two.data(), N);
    EXPECT_EQ(std::memcmp(one.data(), two.data(), size_t(one.numel()) * sizeof(float)), 0)
        << "M=" << M << " N=" << N << " K=" << K;
  }
  set_num_threads(threads);
}

TEST(KernelTime, CountsEveryGemmCallWithItsFlops) {
  const KernelTime before = kernel_time();
  Tensor a = Tensor::ones({4, 5}), b = Tensor::ones({5, 6}), c = Tensor::zeros({4, 6});
  gemm(Trans::none, Trans::none, 4, 6, 5, 1.f, a.data(), 5, b.data(), 6, 0.f, c.data(), 6);
  const KernelTime after = kernel_time();
  EXPECT_EQ(after.gemm_calls, before.gemm_calls + 1);
  EXPECT_EQ(after.gemm_flop - before.gemm_flop, 2.0 * 4 * 6 * 5);
  EXPECT_GE(after.gemm_seconds, before.gemm_seconds);
  EXPECT_EQ(c[0], 5.f);
}

}  // namespace
}  // namespace occam::kernels
