#include "occam/regularize/regularizer.h"

#include <cstring>

#include "occam/tensor/threads.h"

#include "testing/testing.h"

namespace occam::regularize {
namespace {

using testing::check_gradients;
using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

// One fixture case: value and d_w through the tape, and (when there is one) the fused path.
void expect_matches_torch(const std::string& name, const Regularizer& r, Tol tol) {
  SCOPED_TRACE(name);
  const auto ref = load_fixture(name);
  Var w = leaf(ref("w"));
  Var value = r.penalty(w);
  EXPECT_NEAR(value.item(), ref("value").item(),
              tol.abs + tol.rel * std::fabs(ref("value").item()));
  backward(value);
  EXPECT_TENSORS_NEAR(w.grad(), ref("d_w"), tol);

  Tensor dw = Tensor::zeros(w.shape());
  if (auto fused = r.add_penalty_gradient(ref("w"), dw)) {
    EXPECT_NEAR(*fused, ref("value").item(), tol.abs + tol.rel * std::fabs(ref("value").item()));
    EXPECT_TENSORS_NEAR(dw, ref("d_w"), tol);
  }
}

TEST(Regularizers, MatchTorchFixtures) {
  // One sum over ≤ 72 elements: float32 against float64 agrees to a few ulps.
  const Tol tol{1e-6, 1e-5};
  for (const char* shape : {"dense", "conv"}) {
    const std::string s = shape;
    expect_matches_torch("l1_" + s, L1L2(0.01f, 0.f), tol);
    expect_matches_torch("l2_" + s, L1L2(0.f, 0.01f), tol);
    expect_matches_torch("l1_l2_" + s, L1L2(0.01f, 0.02f), tol);
    expect_matches_torch("l2_tf_slim_" + s, L1L2(0.f, 0.01f, Convention::tf_slim), tol);
  }
  expect_matches_torch("orthogonal_rows_dense", Orthogonal(0.01f, OrthogonalMode::rows), tol);
  expect_matches_torch("orthogonal_columns_dense", Orthogonal(0.01f, OrthogonalMode::columns), tol);
}

TEST(Regularizers, KerasDocumentedNumbers) {
  // keras.regularizers.L2(2.0) on ones(5, 5) = 50.0;  L2(0.5) on ones(5,5) = 12.5
  Var ones = constant(Tensor::ones({5, 5}));
  EXPECT_FLOAT_EQ(L1L2(0.f, 2.f).penalty(ones).item(), 50.f);
  EXPECT_FLOAT_EQ(L1L2(0.f, 0.5f).penalty(ones).item(), 12.5f);
}

TEST(Regularizers, ConventionsDifferByExactlyHalf) {
  Var w = constant(Tensor::from({2}, {3.f, 4.f}));           // Σw² = 25
  EXPECT_FLOAT_EQ(L1L2(0.f, 0.1f).penalty(w).item(), 2.5f);  // keras: λ·Σw²
  EXPECT_FLOAT_EQ(L1L2(0.f, 0.1f, Convention::tf_keras).penalty(w).item(), 2.5f);
  EXPECT_FLOAT_EQ(L1L2(0.f, 0.1f, Convention::tf_slim).penalty(w).item(), 1.25f);  // λ·Σw²/2
  EXPECT_FLOAT_EQ(L1L2(0.f, 0.1f, Convention::tf_od_keras).penalty(w).item(), 1.25f);
  EXPECT_FLOAT_EQ(L1L2(0.f, 0.1f, Convention::torch).penalty(w).item(), 1.25f);
  EXPECT_FLOAT_EQ(L1L2(0.1f, 0.f, Convention::tf_slim).penalty(w).item(), 0.7f);  // l1 unchanged
}

TEST(Regularizers, SlimWeight4e5EqualsKerasL2of2e5) {
  Rng rng(5);
  Var w = constant(testing::normal({64, 32}, rng, 0.1f));
  const float slim = L1L2(0.f, 4e-5f, Convention::tf_slim).penalty(w).item();
  const float keras = L1L2(0.f, 2e-5f).penalty(w).item();
  EXPECT_FLOAT_EQ(slim, keras);
  EXPECT_GT(keras, 0.f);
}

TEST(Regularizers, FusedPathGivesTheSameNumbersAsTheTape) {
  // 210 k elements: the fused pass runs as several tasks on 2 threads, the last one partial.
  const int threads = num_threads();
  set_num_threads(2);
  Rng rng(9);
  Tensor w0 = testing::normal({700, 300}, rng);
  w0[5] = 0.f;  // sign(0) = 0 on both paths
  for (const auto& r :
       {L1L2(1e-3f, 0.f), L1L2(0.f, 1e-4f), L1L2(2e-3f, 5e-4f, Convention::tf_slim)}) {
    SCOPED_TRACE(r.formula());
    Var w = leaf(w0.clone());
    Var v = r.penalty(w);
    backward(v);
    Tensor dw = Tensor::zeros(w0.shape());
    const float fused = *r.add_penalty_gradient(w0, dw);
    EXPECT_NEAR(fused, v.item(), 1e-6 * std::fabs(v.item()));
    EXPECT_TENSORS_NEAR(dw, w.grad(), (Tol{1e-9, 1e-6}));
    EXPECT_EQ(dw[5], w.grad()[5]);
    // It adds into what the buffer holds (the data loss's gradient), as the tape does.
    Tensor acc = Tensor::full(w0.shape(), 0.25f);
    r.add_penalty_gradient(w0, acc);
    for (float& x : acc.span()) x -= 0.25f;
    EXPECT_TENSORS_NEAR(acc, w.grad(), (Tol{3e-8, 1e-6}));  // 0.25 + g − 0.25 rounds at 2^-26
    // One thread: the same chunks summed in the same order, so the same bits.
    set_num_threads(1);
    Tensor dw1 = Tensor::zeros(w0.shape());
    EXPECT_EQ(*r.add_penalty_gradient(w0, dw1), fused);
    EXPECT_EQ(std::memcmp(dw1.data(), dw.data(), size_t(dw.numel()) * sizeof(float)), 0);
    set_num_threads(2);
  }
  set_num_threads(threads);
}

TEST(Regularizers, FormulasNameCoefficientAndConvention) {
  EXPECT_EQ(L1L2(0.f, 1e-4f).formula(), "0.0001·Σw² (keras)");
  EXPECT_EQ(L1L2(0.f, 4e-5f, Convention::tf_slim).formula(), "4e-05·Σw²/2 (tf_slim)");
  EXPECT_EQ(L1L2(0.01f, 0.02f).formula(), "0.01·Σ|w| + 0.02·Σw² (keras)");
  EXPECT_EQ(L1L2(0.01f, 0.f).kind(), "l1");
  EXPECT_EQ(L1L2(0.f, 0.01f).kind(), "l2");
  EXPECT_EQ(L1L2(0.01f, 0.01f).kind(), "l1_l2");
}

TEST(Orthogonal, OrthonormalRowsGiveZeroAndParallelRowsGiveFactor) {
  Var eye =
      constant(Tensor::from({3, 3}, {1, 0, 0, 0, 2, 0, 0, 0, 3}));  // orthogonal rows, any norm
  EXPECT_NEAR(Orthogonal(0.5f, OrthogonalMode::rows).penalty(eye).item(), 0.f, 1e-7);
  Var same = constant(Tensor::from({2, 3}, {1, 2, 3, 2, 4, 6}));  // |cos| = 1 for the one pair
  EXPECT_NEAR(Orthogonal(0.5f, OrthogonalMode::rows).penalty(same).item(), 0.5f, 1e-6);
  Var one_row = constant(Tensor::from({1, 3}, {1, 2, 3}));
  EXPECT_EQ(Orthogonal(0.5f, OrthogonalMode::rows).penalty(one_row).item(), 0.f);
}

TEST(Orthogonal, GradientMatchesFiniteDifferences) {
  Rng rng(2);
  for (auto mode : {OrthogonalMode::rows, OrthogonalMode::columns}) {
    Orthogonal r(0.3f, mode);
    check_gradients([&](const std::vector<Var>& v) { return r.penalty(v[0]); },
                    {testing::normal({4, 5}, rng)}, {.eps = 1e-3, .rel = 5e-3});
  }
}

TEST(UserRegularizer, GetsItsGradientFromTheTape) {
  // Smoothness across output units: 0.1·Σ_j (w[:,j+1] − w[:,j])², built from ops only.
  auto r = user("smooth", "0.1·Σ(Δw)²", [](const Var& w) {
    const int64_t in = w.dim(0), out = w.dim(1);
    Tensor left = Tensor::zeros({out, out - 1}), right = Tensor::zeros({out, out - 1});
    for (int64_t j = 0; j + 1 < out; ++j) {
      left[j * (out - 1) + j] = -1.f;
      right[(j + 1) * (out - 1) + j] = 1.f;
    }
    (void)in;
    return 0.1f * sum(square(matmul(w, constant(left)) + matmul(w, constant(right))));
  });
  Var w = leaf(Tensor::from({1, 3}, {1, 3, 6}));  // Δ = 2, 3 → 0.1·13 = 1.3
  Var v = r->penalty(w);
  EXPECT_FLOAT_EQ(v.item(), 1.3f);
  EXPECT_EQ(r->kind(), "smooth");
  backward(v);
  // ∂/∂w = 0.2·[−Δ1, Δ1 − Δ2, Δ2] = [−0.4, −0.2, 0.6]
  EXPECT_TENSORS_NEAR(w.grad(), Tensor::from({1, 3}, {-0.4f, -0.2f, 0.6f}), (Tol{1e-6, 1e-6}));
  Rng rng(4);
  check_gradients([&](const std::vector<Var>& x) { return r->penalty(x[0]); },
                  {testing::normal({3, 4}, rng)});
}

TEST(Regularizers, RejectBadCoefficientsAndShapes) {
  EXPECT_THAT(error_of([] { L1L2(-0.1f, 0.f); }),
              HasSubstr("l1: expected a finite coefficient >= 0, got -0.1"));
  EXPECT_THAT(error_of([] { L1L2(0.f, NAN); }), HasSubstr("l2: expected a finite coefficient"));
  EXPECT_THAT(
      error_of([] {
        Orthogonal(0.1f, OrthogonalMode::rows).penalty(constant(Tensor::zeros({2, 2, 3, 3})));
      }),
      HasSubstr("orthogonal: expected a rank-2 tensor, got [2,2,3,3]"));
  EXPECT_THAT(
      error_of([] {
        user("bad", "", [](const Var& w) { return w; })->penalty(constant(Tensor::zeros({2})));
      }),
      HasSubstr("user regularizer bad: expected a scalar penalty, got shape [2]"));
  EXPECT_THAT(error_of([] { user("a/b", "", [](const Var& w) { return sum(w); }); }),
              HasSubstr("without '/'"));
}

}  // namespace
}  // namespace occam::regularize

namespace occam::regularize {
namespace {
TEST(Regularizers, ActivityFormulaNamesTheOutputAndTheDivisor) {
  EXPECT_EQ(activity_formula(L1L2(0.01f, 0.f)), "0.01·Σ|y| (keras) / batch size");
  EXPECT_EQ(activity_formula(L1L2(0.f, 0.01f, Convention::tf_slim)),
            "0.01·Σy²/2 (tf_slim) / batch size");
}
}  // namespace
}  // namespace occam::regularize
