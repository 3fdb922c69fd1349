#include "occam/optim/sgd.h"

#include "optim_testing.h"

namespace occam::optim {
namespace {

using occam::testing::error_of;
using testing::expect_matches_torch;
using ::testing::HasSubstr;
using testing::make_parameter;
using testing::Tol;

testing::MakeOptimizer sgd(SgdOptions options) {
  return [options](std::vector<nn::Parameter*> params) {
    return std::make_unique<Sgd>(std::move(params), options);
  };
}

TEST(Sgd, PlainMatchesTorch) { expect_matches_torch("sgd", sgd({})); }

TEST(Sgd, MomentumMatchesTorchAfterFiveSteps) {
  expect_matches_torch("sgd_momentum", sgd({.momentum = 0.9f}));
}

TEST(Sgd, NesterovMatchesTorchAfterFiveSteps) {
  expect_matches_torch("sgd_nesterov", sgd({.momentum = 0.9f, .nesterov = true}));
}

TEST(Sgd, CoupledWeightDecayMatchesTorch) {
  expect_matches_torch("sgd_weight_decay", sgd({.weight_decay = 0.01f}));
  expect_matches_torch("sgd_momentum_weight_decay", sgd({.momentum = 0.9f, .weight_decay = 0.01f}));
}

TEST(Sgd, DampeningSkipsTheFirstStep) {
  // torch: b = g at the first update (no dampening), then b = μ·b + (1 − τ)·g.
  // g = 1 each step, μ = 0.5, τ = 0.5, lr 1: b = 1, 1, 1, ...;  w = 10 − k.
  // Without the first-step rule b would be 0.5, 0.75, ...
  nn::Parameter p = make_parameter("w", Tensor::full({2}, 10.f));
  Sgd optimizer({&p}, {.momentum = 0.5f, .dampening = 0.5f});
  p.grad().fill(1.f);
  optimizer.step(1.f);
  optimizer.step(1.f);
  EXPECT_TENSORS_NEAR(p.data(), Tensor::full({2}, 8.f), (Tol{0, 0}));
  p.grad().fill(3.f);  // b = 0.5·1 + 0.5·3 = 2
  optimizer.step(1.f);
  EXPECT_TENSORS_NEAR(p.data(), Tensor::full({2}, 6.f), (Tol{0, 0}));
}

TEST(Sgd, LrChangesActOnTheWholeStepNotTheVelocity) {
  // torch keeps lr out of the momentum buffer: halving lr halves the next step at once.
  // g = 1, μ = 0.9: b = 1, 1.9; steps lr·b = 0.1·1, then 0.05·1.9.
  nn::Parameter p = make_parameter("w", Tensor::zeros({1}));
  Sgd optimizer({&p}, {.momentum = 0.9f});
  p.grad().fill(1.f);
  optimizer.step(0.1f);
  optimizer.step(0.05f);
  EXPECT_NEAR(p.data()[0], -(0.1 + 0.05 * 1.9), 1e-7);
}

TEST(Sgd, RejectsInvalidOptions) {
  const auto message = [](SgdOptions o) { return error_of([&] { Sgd({}, o); }); };
  EXPECT_EQ(message({.momentum = 1.f}), "sgd: expected momentum in [0, 1), got 1");
  EXPECT_EQ(message({.momentum = -0.1f}), "sgd: expected momentum in [0, 1), got -0.1");
  EXPECT_EQ(message({.dampening = 2.f}), "sgd: expected dampening in [0, 1], got 2");
  EXPECT_EQ(message({.weight_decay = -1.f}), "sgd: expected weight_decay >= 0, got -1");
  EXPECT_EQ(message({.nesterov = true}),
            "sgd: nesterov requires momentum > 0 and dampening 0, got momentum 0 and dampening 0");
  EXPECT_EQ(
      message({.momentum = 0.9f, .dampening = 0.1f, .nesterov = true}),
      "sgd: nesterov requires momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1");
  EXPECT_THROW(Sgd({}, {.momentum = 1.f}), ConfigError);  // bad input, not a broken invariant
}

TEST(Sgd, DescribesCoupledWeightDecay) {
  EXPECT_EQ(Sgd({}, {}).describe_weight_decay().kind, WeightDecayKind::none);
  const WeightDecay wd = Sgd({}, {.momentum = 0.9f, .weight_decay = 0.01f}).describe_weight_decay();
  EXPECT_EQ(wd.kind, WeightDecayKind::coupled);
  EXPECT_FLOAT_EQ(wd.coefficient, 0.01f);
  EXPECT_FALSE(wd.scaled_by_lr);
  EXPECT_THAT(wd.formula, HasSubstr("g ← g + 0.01·w"));
  EXPECT_THAT(wd.formula, HasSubstr("Keras l2(0.005)"));
}

}  // namespace
}  // namespace occam::optim
