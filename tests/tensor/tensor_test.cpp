#include "occam/tensor/tensor.h"

#include "occam/tensor/gemm.h"
#include "occam/tensor/rng.h"
#include "testing/testing.h"

namespace occam {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

TEST(Tensor, IsZeroFilledAligned64AndRowMajor) {
  Tensor t({3, 5});
  EXPECT_EQ(t.numel(), 15);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
  for (float v : t.span()) EXPECT_EQ(v, 0.f);
  Tensor u = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(u[1 * 3 + 2], 6.f);
  EXPECT_EQ(u.dim(-1), 3);
}

TEST(Tensor, CopiesShareStorageAndCloneDoesNot) {
  Tensor a = Tensor::full({4}, 2.f);
  Tensor b = a;
  Tensor c = a.clone();
  a[0] = 7.f;
  EXPECT_EQ(b[0], 7.f);
  EXPECT_EQ(c[0], 2.f);
}

TEST(Tensor, RejectsNegativeSizesAndBadReshapes) {
  EXPECT_THAT(error_of([] { Tensor t({2, -1}); }), HasSubstr("negative dimension in shape [2,-1]"));
  EXPECT_THAT(error_of([] {
                Tensor::zeros({2, 3}).reshaped({4, 2});
              }),
              HasSubstr("cannot view [2,3] as [4,2]"));
  EXPECT_THAT(error_of([] {
                Tensor::from({2, 2}, {1, 2, 3});
              }),
              HasSubstr("holds 4 values, got 3"));
  EXPECT_THAT(error_of([] { Tensor::zeros({2}).item(); }), HasSubstr("one-element"));
}

TEST(Rng, SameSeedSameSequenceDifferentSeedDifferent) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
}

TEST(Rng, NormalHasUnitMomentsAndUniformIsInRange) {
  Rng rng(1);
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double v = rng.normal();
    s += v;
    s2 += v * v;
  }
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.01);
  for (int i = 0; i < 1000; ++i) {
    const float u = rng.uniform();
    EXPECT_GE(u, 0.f);
    EXPECT_LT(u, 1.f);
    EXPECT_LT(rng.below(7), 7u);
  }
}

// The oneDNN path against the reference loop, for every transpose combination, with beta.
TEST(Gemm, OneDnnMatchesReferenceForAllTransposes) {
  using kernels::Trans;
  Rng rng(3);
  const int64_t M = 37, N = 29, K = 53;
  for (Trans ta : {Trans::none, Trans::transpose})
    for (Trans tb : {Trans::none, Trans::transpose}) {
      Tensor A = testing::normal(ta == Trans::none ? Shape{M, K} : Shape{K, M}, rng);
      Tensor B = testing::normal(tb == Trans::none ? Shape{K, N} : Shape{N, K}, rng);
      Tensor C0 = testing::normal({M, N}, rng);
      Tensor fast = C0.clone(), ref = C0.clone();
      const int64_t lda = A.dim(1), ldb = B.dim(1);
      kernels::gemm(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.f, fast.data(), N);
      kernels::reference::gemm(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.f, ref.data(),
                               N);
      EXPECT_TENSORS_NEAR(fast, ref, (testing::Tol{1e-4, 1e-5}));
      // A hand-checked element: C[2,3] = 0.5·Σ_k op(A)[2,k]·op(B)[k,3] + 2·C0[2,3].
      double want = 2.0 * C0[2 * N + 3];
      for (int64_t k = 0; k < K; ++k) {
        const float a = ta == Trans::none ? A[2 * K + k] : A[k * M + 2];
        const float b = tb == Trans::none ? B[k * N + 3] : B[3 * K + k];
        want += 0.5 * a * b;
      }
      EXPECT_NEAR(fast[2 * N + 3], want, 1e-4);
    }
}

}  // namespace
}  // namespace occam
