#include "occam/optim/adam.h"

#include <cmath>

#include "optim_testing.h"

namespace occam::optim {
namespace {

using occam::testing::error_of;
using testing::expect_matches_torch;
using ::testing::HasSubstr;
using testing::make_parameter;
using testing::Tol;

template <class O, class Options>
testing::MakeOptimizer make(Options options) {
  return [options](std::vector<nn::Parameter*> params) {
    return std::make_unique<O>(std::move(params), options);
  };
}

TEST(Adam, MatchesTorchAfterFiveSteps) { expect_matches_torch("adam", make<Adam>(AdamOptions{})); }

TEST(Adam, KerasEpsilonValueWithTorchFormulaMatchesTorch) {
  expect_matches_torch("adam_eps1e-7", make<Adam>(AdamOptions{.eps = 1e-7f}));
}

TEST(Adam, CoupledWeightDecayMatchesTorch) {
  expect_matches_torch("adam_weight_decay", make<Adam>(AdamOptions{.weight_decay = 0.01f}));
}

TEST(AdamW, DecoupledWeightDecayMatchesTorch) {
  expect_matches_torch("adamw", make<AdamW>(AdamWOptions{.weight_decay = 0.01f}));
}

TEST(Adam, FirstStepMovesEachWeightByLr) {
  // t = 1: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g), whatever |g|.
  nn::Parameter p = make_parameter("w", Tensor::zeros({3}));
  Adam optimizer({&p});
  p.grad().copy_from(Tensor::from({3}, {1e-3f, -5.f, 200.f}));
  optimizer.step(0.01f);
  EXPECT_TENSORS_NEAR(p.data(), Tensor::from({3}, {-0.01f, 0.01f, -0.01f}), (Tol{1e-8, 1e-4}));
}

TEST(AdamW, ShrinksByLrTimesDecayBeforeTheStep) {
  // g = 0: m = v = 0, the Adam step is 0, and only the decay acts: w·(1 − lr·wd) per step.
  nn::Parameter p = make_parameter("w", Tensor::from({2}, {2.f, -4.f}));
  AdamW optimizer({&p}, {.weight_decay = 0.1f});
  p.grad().fill(0.f);
  optimizer.step(0.5f);
  optimizer.step(0.5f);
  EXPECT_TENSORS_NEAR(p.data(), Tensor::from({2}, {2.f * 0.95f * 0.95f, -4.f * 0.95f * 0.95f}),
                      (Tol{1e-7, 0}));
}

TEST(Adam, CoupledDecayIsNotAdamW) {
  // SPEC-regularization §7.4: Adam(weight_decay=λ) and AdamW(λ) differ.
  nn::Parameter a = make_parameter("w", Tensor::full({1}, 1.f));
  nn::Parameter b = make_parameter("w", Tensor::full({1}, 1.f));
  Adam adam({&a}, {.weight_decay = 0.1f});
  AdamW adamw({&b}, {.weight_decay = 0.1f});
  for (int k = 0; k < 3; ++k) {
    a.grad().fill(0.5f);
    b.grad().fill(0.5f);
    adam.step(0.1f);
    adamw.step(0.1f);
  }
  EXPECT_GT(std::fabs(a.data()[0] - b.data()[0]), 1e-3f);
}

TEST(Adam, RejectsInvalidOptions) {
  EXPECT_EQ(error_of([] { Adam({}, {.beta1 = 1.f}); }), "adam: expected beta1 in [0, 1), got 1");
  EXPECT_EQ(error_of([] { Adam({}, {.beta2 = -0.5f}); }),
            "adam: expected beta2 in [0, 1), got -0.5");
  EXPECT_EQ(error_of([] { Adam({}, {.eps = 0.f}); }), "adam: expected eps > 0, got 0");
  EXPECT_EQ(error_of([] { AdamW({}, {.weight_decay = -0.01f}); }),
            "adamw: expected weight_decay >= 0, got -0.01");
  EXPECT_THROW(Adam({}, {.eps = -1.f}), ConfigError);
}

TEST(Adam, DescribesWeightDecay) {
  EXPECT_EQ(Adam({}).describe_weight_decay().kind, WeightDecayKind::none);
  const WeightDecay coupled = Adam({}, {.weight_decay = 0.01f}).describe_weight_decay();
  EXPECT_EQ(coupled.kind, WeightDecayKind::coupled);
  EXPECT_FALSE(coupled.scaled_by_lr);
  const WeightDecay decoupled = AdamW({}).describe_weight_decay();  // torch default 0.01
  EXPECT_EQ(decoupled.kind, WeightDecayKind::decoupled);
  EXPECT_FLOAT_EQ(decoupled.coefficient, 0.01f);
  EXPECT_TRUE(decoupled.scaled_by_lr);
  EXPECT_THAT(decoupled.formula, HasSubstr("w ← w·(1 − lr·0.01)"));
}

}  // namespace
}  // namespace occam::optim
