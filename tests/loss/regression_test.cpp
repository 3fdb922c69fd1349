#include "occam/loss/regression.h"

#include <cmath>

#include "occam/autograd/ops.h"
#include "testing/testing.h"

namespace occam::loss {
namespace {

using testing::check_gradients;
using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

// Huber from primitives: with a = min(|e|, δ), huber = 0.5·a² + δ·(|e| − a), which is 0.5·e²
// inside and δ·(|e| − 0.5·δ) outside.
Var huber_unfused(const Var& p, const Tensor& t, float delta) {
  Var e = abs(p - constant(t));
  Var a = minimum(e, constant(Tensor::scalar(delta)));
  return mean(0.5f * square(a) + delta * (e - a));
}

// The value of a loss at `prediction`, and ∂loss/∂prediction.
struct Case {
  Tensor value, grad;
};
Case run(const std::function<Var(const Var&)>& loss, const Tensor& prediction) {
  Var p = leaf(prediction.clone());
  Var y = loss(p);
  backward(y);
  return {y.value(), p.grad()};
}

TEST(Mse, MatchesTorch) {
  const auto ref = load_fixture("mse");
  const Case got = run([&](const Var& p) { return mse(p, ref("target")); }, ref("prediction"));
  EXPECT_NEAR(got.value.item(), ref("value").item(), 1e-6);
  EXPECT_TENSORS_NEAR(got.grad, ref("d_prediction"), (Tol{1e-7, 1e-6}));
}

TEST(Huber, MatchesTorchInBothRegimes) {
  const auto ref = load_fixture("huber");
  ASSERT_EQ(ref.param("delta"), 1.0);
  const Tensor p = ref("prediction"), t = ref("target");
  int quadratic = 0;
  for (int64_t i = 0; i < p.numel(); ++i) quadratic += std::fabs(p[i] - t[i]) <= 1.f;
  ASSERT_GT(quadratic, 0);
  ASSERT_LT(quadratic, p.numel());
  const Case got = run([&](const Var& x) { return huber(x, t); }, p);
  EXPECT_NEAR(got.value.item(), ref("value").item(), 1e-6);
  EXPECT_TENSORS_NEAR(got.grad, ref("d_prediction"), (Tol{1e-7, 1e-6}));
}

TEST(SmoothL1, BetaOneIsTheHuberFixture) {
  const auto ref = load_fixture("huber");
  const Case got =
      run([&](const Var& x) { return smooth_l1(x, ref("target"), 1.f); }, ref("prediction"));
  EXPECT_NEAR(got.value.item(), ref("value").item(), 1e-6);
  EXPECT_TENSORS_NEAR(got.grad, ref("d_prediction"), (Tol{1e-7, 1e-6}));
}

TEST(Regression, HandValues) {
  // errors e = p − t = 0.5, −3, 0
  const Tensor p = Tensor::from({3}, {1.5f, -1.f, 2.f});
  const Tensor t = Tensor::from({3}, {1.f, 2.f, 2.f});
  const auto value = [&](const std::function<Var(const Var&)>& f) { return f(constant(p)).item(); };
  EXPECT_FLOAT_EQ(value([&](const Var& x) { return mse(x, t); }), (0.25f + 9.f) / 3);
  // δ = 1: 0.125 and 1·(3 − 0.5);  δ = 2: 0.125 and 2·(3 − 1)
  EXPECT_FLOAT_EQ(value([&](const Var& x) { return huber(x, t); }), (0.125f + 2.5f) / 3);
  EXPECT_FLOAT_EQ(value([&](const Var& x) { return huber(x, t, 2.f); }), (0.125f + 4.f) / 3);
  // β = 2: 0.5·0.25/2 and 3 − 1 (= huber(δ=2)/2);  β = 0: the L1 loss
  EXPECT_FLOAT_EQ(value([&](const Var& x) { return smooth_l1(x, t, 2.f); }), (0.0625f + 2.f) / 3);
  EXPECT_FLOAT_EQ(value([&](const Var& x) { return smooth_l1(x, t, 0.f); }), 3.5f / 3);
  // d/dp: huber clamp(e, −δ, δ)/n; L1 sign(e)/n with 0 at e = 0
  EXPECT_TENSORS_NEAR(run([&](const Var& x) { return huber(x, t); }, p).grad,
                      Tensor::from({3}, {0.5f / 3, -1.f / 3, 0.f}), (Tol{1e-7, 0}));
  EXPECT_TENSORS_NEAR(run([&](const Var& x) { return smooth_l1(x, t, 0.f); }, p).grad,
                      Tensor::from({3}, {1.f / 3, -1.f / 3, 0.f}), (Tol{1e-7, 0}));
}

TEST(Regression, FusedMatchesComposition) {
  Rng rng(21);
  const Tensor p = testing::normal({4, 5}, rng, 2.f), t = testing::normal({4, 5}, rng, 2.f);
  const auto both = [&](const std::function<Var(const Var&)>& fused,
                        const std::function<Var(const Var&)>& plain) {
    const Case a = run(fused, p), b = run(plain, p);
    EXPECT_NEAR(a.value.item(), b.value.item(), 1e-6 * std::fabs(b.value.item()));
    EXPECT_TENSORS_NEAR(a.grad, b.grad, (Tol{1e-7, 1e-6}));
  };
  both([&](const Var& x) { return mse(x, t); },
       [&](const Var& x) { return mean(square(x - constant(t))); });
  for (float delta : {0.5f, 1.f, 3.f}) {
    SCOPED_TRACE(delta);
    both([&](const Var& x) { return huber(x, t, delta); },
         [&](const Var& x) { return huber_unfused(x, t, delta); });
    both([&](const Var& x) { return smooth_l1(x, t, delta); },
         [&](const Var& x) { return huber_unfused(x, t, delta) / delta; });
  }
}

TEST(Regression, GradientsMatchFiniteDifferences) {
  Rng rng(22);
  const Tensor t = testing::normal({3, 4}, rng);
  // |e| kept at least 0.1 away from the kinks at ±δ (δ = 1) and, for β = 0, from 0.
  Tensor p = t.clone();
  for (float& v : p.span()) {
    float e = rng.uniform(0.1f, 0.8f);
    if (rng.uniform() < 0.5f) e += 1.f;
    v += rng.uniform() < 0.5f ? e : -e;
  }
  check_gradients([&](const std::vector<Var>& v) { return mse(v[0], t); }, {p});
  check_gradients([&](const std::vector<Var>& v) { return huber(v[0], t); }, {p});
  check_gradients([&](const std::vector<Var>& v) { return smooth_l1(v[0], t, 1.f); }, {p});
  check_gradients([&](const std::vector<Var>& v) { return smooth_l1(v[0], t, 0.f); }, {p});
}

TEST(Regression, ErrorsNameTheLossAndBothShapes) {
  Var p = constant(Tensor::zeros({4, 3}));
  const Tensor t = Tensor::zeros({3, 4});
  EXPECT_THAT(error_of([&] { mse(p, t); }),
              HasSubstr("mse: expected target of the same shape as prediction [4,3], got [3,4]"));
  EXPECT_THAT(error_of([&] { huber(p, t); }),
              HasSubstr("huber: expected target of the same shape as prediction [4,3], got [3,4]"));
  EXPECT_THAT(error_of([&] { smooth_l1(p, t); }), HasSubstr("smooth_l1: expected target"));
  EXPECT_THAT(error_of([&] {
                huber(p, Tensor::zeros({4, 3}), 0.f);
              }),
              HasSubstr("huber: expected delta > 0, got 0"));
  EXPECT_THAT(error_of([&] {
                smooth_l1(p, Tensor::zeros({4, 3}), -1.f);
              }),
              HasSubstr("smooth_l1: expected beta >= 0, got -1"));
}

}  // namespace
}  // namespace occam::loss
