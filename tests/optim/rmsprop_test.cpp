#include "occam/optim/rmsprop.h"

#include <cmath>

#include "optim_testing.h"

namespace occam::optim {
namespace {

using occam::testing::error_of;
using testing::expect_matches_torch;
using ::testing::HasSubstr;
using testing::make_parameter;
using testing::Tol;

testing::MakeOptimizer rmsprop(RmspropOptions options) {
  return [options](std::vector<nn::Parameter*> params) {
    return std::make_unique<Rmsprop>(std::move(params), options);
  };
}

TEST(Rmsprop, MatchesTorchAfterFiveSteps) { expect_matches_torch("rmsprop", rmsprop({})); }

TEST(Rmsprop, CenteredMatchesTorchAfterFiveSteps) {
  expect_matches_torch("rmsprop_centered", rmsprop({.centered = true}));
}

TEST(Rmsprop, MomentumAndWeightDecayByHand) {
  // w = 2, g = 1, α = 0.5, μ = 0.5, wd = 0.5, lr 0.1, ε tiny:
  //   step 1: d = 1 + 0.5·2 = 2,  v = 0.5·4 = 2,  b = 2/√2 = √2,  w = 2 − 0.1·√2
  //   step 2: d = 1 + 0.5·w,  v = 0.5·2 + 0.5·d²,  b = 0.5·√2 + d/√v,  w −= 0.1·b
  nn::Parameter p = make_parameter("w", Tensor::full({1}, 2.f));
  Rmsprop optimizer({&p}, {.alpha = 0.5f, .eps = 1e-12f, .weight_decay = 0.5f, .momentum = 0.5f});
  p.grad().fill(1.f);
  optimizer.step(0.1f);
  double w = 2 - 0.1 * std::sqrt(2.0);
  EXPECT_NEAR(p.data()[0], w, 1e-6);
  optimizer.step(0.1f);
  const double d = 1 + 0.5 * w, v = 1 + 0.5 * d * d;
  w -= 0.1 * (0.5 * std::sqrt(2.0) + d / std::sqrt(v));
  EXPECT_NEAR(p.data()[0], w, 1e-6);
  const auto state = optimizer.state();
  ASSERT_EQ(state.size(), 3u);  // step, square_avg, momentum_buffer: torch's names and order
  EXPECT_EQ(state[0].name, "w/step");
  EXPECT_EQ(state[1].name, "w/square_avg");
  EXPECT_EQ(state[2].name, "w/momentum_buffer");
  EXPECT_NEAR(state[1].value[0], v, 1e-6);
}

TEST(Rmsprop, EpsIsOutsideTheSquareRoot) {
  // α = 0, g = 1e-4, ε = 1: v = g² = 1e-8 and the step is lr·g/(sqrt(v) + ε) = 1e-4/1.0001.
  // With ε inside the root (Keras) it would be 1e-4/sqrt(1 + 1e-8), 1e-8 away.
  nn::Parameter p = make_parameter("w", Tensor::zeros({1}));
  Rmsprop optimizer({&p}, {.alpha = 0.f, .eps = 1.f});
  p.grad().fill(1e-4f);
  optimizer.step(1.f);
  EXPECT_NEAR(p.data()[0], -1e-4 / 1.0001, 1e-10);
}

TEST(Rmsprop, CenteredStaysFiniteWhenTheGradientIsConstant) {
  // v − ḡ² → 0 as the EMAs converge; rounding may make it slightly negative.
  nn::Parameter p = make_parameter("w", Tensor::zeros({4}));
  Rmsprop optimizer({&p}, {.alpha = 0.5f, .centered = true});
  for (int k = 0; k < 200; ++k) {
    p.grad().copy_from(Tensor::from({4}, {0.1f, 0.3f, 1.7f, 3.3f}));
    optimizer.step(1e-6f);
  }
  for (float v : p.data().span()) EXPECT_TRUE(std::isfinite(v));
}

TEST(Rmsprop, RejectsInvalidOptions) {
  EXPECT_EQ(error_of([] { Rmsprop({}, {.alpha = 1.f}); }),
            "rmsprop: expected alpha in [0, 1), got 1");
  EXPECT_EQ(error_of([] { Rmsprop({}, {.eps = 0.f}); }), "rmsprop: expected eps > 0, got 0");
  EXPECT_EQ(error_of([] { Rmsprop({}, {.momentum = 1.5f}); }),
            "rmsprop: expected momentum in [0, 1), got 1.5");
  EXPECT_EQ(error_of([] { Rmsprop({}, {.weight_decay = -1.f}); }),
            "rmsprop: expected weight_decay >= 0, got -1");
}

TEST(Rmsprop, DescribesCoupledWeightDecay) {
  EXPECT_EQ(Rmsprop({}).describe_weight_decay().kind, WeightDecayKind::none);
  const WeightDecay wd = Rmsprop({}, {.weight_decay = 0.001f}).describe_weight_decay();
  EXPECT_EQ(wd.kind, WeightDecayKind::coupled);
  EXPECT_FLOAT_EQ(wd.coefficient, 0.001f);
  EXPECT_THAT(wd.formula, HasSubstr("g ← g + 0.001·w"));
}

}  // namespace
}  // namespace occam::optim
