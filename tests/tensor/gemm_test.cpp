// GEMM: oneDNN's sgemm, alone or cut into tiles, against a plain loop in double precision, for
// every transpose, on both sides of the small-product threshold, with row strides wider than the
// matrices, alpha and beta; 1 and 2 threads give the same bits; the kernel counter counts calls
// and FLOPs. Nothing here is timed.
#include "occam/tensor/gemm.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>

#include "occam/tensor/kernel_time.h"
#include "occam/tensor/rng.h"
#include "occam/tensor/tensor.h"
#include "occam/tensor/threads.h"
#include "testing/testing.h"

namespace occam::kernels {
namespace {

struct Product {
  Trans ta, tb;
  int64_t M, N, K;
  float alpha = 1.f, beta = 0.f;
  int64_t pad = 0;  // lda, ldb, ldc wider than the rows by this much (the pad is never read)
  int64_t lda() const { return (ta == Trans::none ? K : M) + pad; }
  int64_t ldb() const { return (tb == Trans::none ? N : K) + pad; }
  int64_t ldc() const { return N + pad; }
  float a(const Tensor& A, int64_t i, int64_t k) const {
    return ta == Trans::none ? A[i * lda() + k] : A[k * lda() + i];
  }
  float b(const Tensor& B, int64_t k, int64_t j) const {
    return tb == Trans::none ? B[k * ldb() + j] : B[j * ldb() + k];
  }
};

std::ostream& operator<<(std::ostream& os, const Product& p) {
  return os << "M=" << p.M << " N=" << p.N << " K=" << p.K << " ta=" << int(p.ta)
            << " tb=" << int(p.tb) << " alpha=" << p.alpha << " beta=" << p.beta
            << " pad=" << p.pad;
}

struct Operands {
  Tensor A, B, C0;
};
Operands operands(const Product& p, uint64_t seed) {
  Rng rng(seed);
  const int64_t a_rows = p.ta == Trans::none ? p.M : p.K, b_rows = p.tb == Trans::none ? p.K : p.N;
  return {testing::normal({a_rows, p.lda()}, rng), testing::normal({b_rows, p.ldb()}, rng),
          testing::normal({p.M, p.ldc()}, rng)};
}

// The product computed by `gemm_fn` on a copy of C0, checked element by element against the
// loop here, in double. Tolerance: any float evaluation of a K-term dot product, summed in any
// order or blocking, scaled by alpha and added to beta·c, is within γ·(|α|·Σ_k|a_ik·b_kj| +
// |β·c_ij|) of the exact value, γ = (K + 3)·2⁻²⁴ (Higham, Accuracy and Stability, §3.1; the 3
// covers the scaling, the product β·c and the final sum). A wrong index, transpose, tile offset
// or stride misses by O(1), far outside it. Elements of C's row padding must be untouched.
template <class GemmFn>
void expect_correct(const Product& p, GemmFn gemm_fn, uint64_t seed = 3) {
  SCOPED_TRACE(::testing::Message() << p);
  const Operands o = operands(p, seed);
  Tensor C = o.C0.clone();
  gemm_fn(p.ta, p.tb, p.M, p.N, p.K, p.alpha, o.A.data(), p.lda(), o.B.data(), p.ldb(), p.beta,
          C.data(), p.ldc());
  const double gamma = double(p.K + 3) * std::ldexp(1.0, -24);
  int64_t wrong = 0;
  for (int64_t i = 0; i < p.M; ++i)
    for (int64_t j = 0; j < p.ldc(); ++j) {
      const float got = C[i * p.ldc() + j], c0 = o.C0[i * p.ldc() + j];
      if (j >= p.N) {
        wrong += std::memcmp(&got, &c0, sizeof got) != 0;
        continue;
      }
      double exact = 0, magnitude = 0;
      for (int64_t k = 0; k < p.K; ++k) {
        const double ab = double(p.a(o.A, i, k)) * double(p.b(o.B, k, j));
        exact += ab;
        magnitude += std::fabs(ab);
      }
      const double c_term = p.beta == 0.f ? 0.0 : double(p.beta) * c0;
      exact = double(p.alpha) * exact + c_term;
      const double bound = gamma * (std::fabs(p.alpha) * magnitude + std::fabs(c_term)) + 1e-30;
      if (!(std::fabs(double(got) - exact) <= bound) && wrong++ < 5)
        ADD_FAILURE() << "C[" << i << "," << j << "] = " << got << ", exact " << exact << ", bound "
                      << bound;
    }
  EXPECT_EQ(wrong, 0);
}

const Trans kBoth[] = {Trans::none, Trans::transpose};

TEST(Gemm, MatchesAPlainLoopForEveryTransposeSmallAndLarge) {
  const int threads = num_threads();
  set_num_threads(2);
  for (Trans ta : kBoth)
    for (Trans tb : kBoth) {
      expect_correct({ta, tb, 16, 10, 32}, gemm);              // small: one thread
      expect_correct({ta, tb, 128, 10, 256, 1.f, 1.f}, gemm);  // the MLP's output layer (small)
      expect_correct({ta, tb, 96, 200, 160, 1.f, 1.f}, gemm);  // large: tiles along N
      expect_correct({ta, tb, 300, 40, 200, 1.f, 1.f}, gemm);  // large: tiles along M
      expect_correct({ta, tb, 130, 1000, 40}, gemm);           // large: a last tile of 8 columns
      expect_correct({ta, tb, 7, 5, 3, -0.5f, 2.f, 3}, gemm);  // small, strided, alpha and beta
      expect_correct({ta, tb, 96, 200, 160, 0.5f, -1.f, 5}, gemm);  // tiles along N, strided
      expect_correct({ta, tb, 300, 40, 200, 2.f, 0.5f, 7}, gemm);   // tiles along M, strided
    }
  EXPECT_EQ(num_threads(), 2) << "a small product must restore the thread count";
  set_num_threads(threads);
}

// The oracle other kernel tests use, held to the same bound.
TEST(Gemm, TheReferenceLoopMatchesToo) {
  for (Trans ta : kBoth)
    for (Trans tb : kBoth) {
      expect_correct({ta, tb, 17, 9, 33, 1.f, 1.f}, reference::gemm);
      expect_correct({ta, tb, 6, 11, 4, -2.f, 0.5f, 3}, reference::gemm);
    }
}

// beta = 0 means C is not read (BLAS): whatever C held — here NaN, as in a fresh Tensor::empty —
// the result is alpha·op(A)·op(B); and K = 0 gives beta·C.
TEST(Gemm, BetaZeroOverwritesAndAnEmptyProductScalesC) {
  const int threads = num_threads();
  for (int t : {1, 2}) {
    set_num_threads(t);
    for (auto [M, N, K] : {std::tuple{4, 6, 5}, std::tuple{96, 200, 160}}) {
      Rng rng(9);
      const Tensor A = testing::normal({M, K}, rng), B = testing::normal({K, N}, rng);
      Tensor C = Tensor::full({M, N}, std::numeric_limits<float>::quiet_NaN());
      Tensor want = Tensor::zeros({M, N});
      gemm(Trans::none, Trans::none, M, N, K, 1.f, A.data(), K, B.data(), N, 0.f, C.data(), N);
      reference::gemm(Trans::none, Trans::none, M, N, K, 1.f, A.data(), K, B.data(), N, 0.f,
                      want.data(), N);
      EXPECT_TENSORS_NEAR(C, want, (testing::Tol{1e-4, 1e-4})) << "threads " << t << " M=" << M;
    }
    Tensor C = Tensor::from({2, 2}, {1, -2, 3, std::numeric_limits<float>::quiet_NaN()});
    gemm(Trans::none, Trans::none, 2, 2, 0, 1.f, nullptr, 1, nullptr, 2, 0.5f, C.data(), 2);
    EXPECT_EQ(C[0], 0.5f);
    EXPECT_EQ(C[1], -1.f);
    EXPECT_EQ(C[2], 1.5f);
    EXPECT_TRUE(std::isnan(C[3]));
    C = Tensor::full({2, 2}, std::numeric_limits<float>::quiet_NaN());
    gemm(Trans::none, Trans::none, 2, 2, 0, 1.f, nullptr, 1, nullptr, 2, 0.f, C.data(), 2);
    EXPECT_TENSORS_NEAR(C, Tensor::zeros({2, 2}), (testing::Tol{0, 0}));
  }
  set_num_threads(threads);
}

// The tiles of a large product depend on its shape only, and each element is computed by one
// one-thread sgemm call either way: 1 and 2 threads give the same bits.
TEST(Gemm, LargeProductsGiveTheSameBitsOnOneAndTwoThreads) {
  const int threads = num_threads();
  for (const Product& p :
       {Product{Trans::none, Trans::none, 128, 512, 784},
        Product{Trans::transpose, Trans::none, 784, 512, 128},
        Product{Trans::none, Trans::transpose, 128, 512, 256},
        Product{Trans::none, Trans::none, 128, 64, 300},  // one tile
        Product{Trans::transpose, Trans::transpose, 300, 130, 200, 0.5f, 1.f, 3}}) {
    const Operands o = operands(p, 5);
    Tensor one = o.C0.clone(), two = o.C0.clone();
    set_num_threads(1);
    gemm(p.ta, p.tb, p.M, p.N, p.K, p.alpha, o.A.data(), p.lda(), o.B.data(), p.ldb(), p.beta,
         one.data(), p.ldc());
    set_num_threads(2);
    gemm(p.ta, p.tb, p.M, p.N, p.K, p.alpha, o.A.data(), p.lda(), o.B.data(), p.ldb(), p.beta,
         two.data(), p.ldc());
    EXPECT_EQ(std::memcmp(one.data(), two.data(), size_t(one.numel()) * sizeof(float)), 0) << p;
  }
  set_num_threads(threads);
}

TEST(KernelTime, CountsEveryGemmCallOnceWithItsFlops) {
  const int threads = num_threads();
  set_num_threads(2);
  const KernelTime before = kernel_time();
  Tensor a = Tensor::ones({4, 5}), b = Tensor::ones({5, 6}), c = Tensor::zeros({4, 6});
  gemm(Trans::none, Trans::none, 4, 6, 5, 1.f, a.data(), 5, b.data(), 6, 0.f, c.data(), 6);
  // A large product is one call, however many tiles it is cut into.
  Tensor A = Tensor::ones({128, 784}), B = Tensor::ones({784, 512}), C = Tensor::zeros({128, 512});
  gemm(Trans::none, Trans::none, 128, 512, 784, 1.f, A.data(), 784, B.data(), 512, 0.f, C.data(),
       512);
  const KernelTime after = kernel_time();
  EXPECT_EQ(after.gemm_calls, before.gemm_calls + 2);
  EXPECT_EQ(after.gemm_flop - before.gemm_flop, 2.0 * 4 * 6 * 5 + 2.0 * 128 * 512 * 784);
  EXPECT_EQ(after.conv_calls, before.conv_calls);
  EXPECT_EQ(c[0], 5.f);
  EXPECT_EQ(C[128 * 512 - 1], 784.f);
  set_num_threads(threads);
}

}  // namespace
}  // namespace occam::kernels
