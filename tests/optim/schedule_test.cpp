#include "occam/optim/schedule.h"

#include <cmath>

#include "occam/error.h"
#include "testing/testing.h"

namespace occam::optim {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

TEST(ConstantLr, IsTheSameAtEveryStep) {
  const ConstantLr s({.lr = 0.1f});
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.1f);
  EXPECT_FLOAT_EQ(s.lr_at(1'000'000'000), 0.1f);
  EXPECT_EQ(s.formula(), "lr = 0.1");
}

TEST(StepLr, DropsByGammaEveryStepSizeSteps) {
  const StepLr s({.lr = 0.1f, .step_size = 3, .gamma = 0.5f});
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.1f);
  EXPECT_FLOAT_EQ(s.lr_at(2), 0.1f);   // last step before the first drop
  EXPECT_FLOAT_EQ(s.lr_at(3), 0.05f);  // the first drop
  EXPECT_FLOAT_EQ(s.lr_at(5), 0.05f);
  EXPECT_FLOAT_EQ(s.lr_at(6), 0.025f);
  EXPECT_EQ(s.formula(), "lr = 0.1·0.5^⌊step/3⌋");
}

TEST(ExponentialLr, DecaysContinuouslyOrInStairs) {
  const ExponentialLr smooth({.lr = 1.f, .decay_steps = 10, .decay_rate = 0.5f});
  EXPECT_FLOAT_EQ(smooth.lr_at(0), 1.f);
  EXPECT_FLOAT_EQ(smooth.lr_at(5), float(std::sqrt(0.5)));
  EXPECT_FLOAT_EQ(smooth.lr_at(10), 0.5f);
  EXPECT_FLOAT_EQ(smooth.lr_at(20), 0.25f);
  const ExponentialLr stairs({.lr = 1.f, .decay_steps = 10, .decay_rate = 0.5f, .staircase = true});
  EXPECT_FLOAT_EQ(stairs.lr_at(9), 1.f);
  EXPECT_FLOAT_EQ(stairs.lr_at(10), 0.5f);
  EXPECT_FLOAT_EQ(stairs.lr_at(19), 0.5f);
  EXPECT_FLOAT_EQ(stairs.lr_at(20), 0.25f);
  EXPECT_EQ(stairs.formula(), "lr = 1·0.5^⌊step/10⌋");
}

TEST(ExponentialLr, OneDecayStepIsTorchExponentialLr) {
  const ExponentialLr s({.lr = 0.2f, .decay_steps = 1, .decay_rate = 0.9f});  // torch: γ per step
  EXPECT_FLOAT_EQ(s.lr_at(1), 0.2f * 0.9f);
  EXPECT_FLOAT_EQ(s.lr_at(3), float(0.2 * 0.9 * 0.9 * 0.9));
}

TEST(CosineLr, WarmsUpLinearlyThenFollowsHalfACosine) {
  // The TF OD API's form: base 0.04, warmup 0.01 over 10 steps, total 100.
  const CosineLr s({.lr = 0.04f, .total_steps = 100, .warmup_steps = 10, .warmup_lr = 0.01f});
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.01f);                 // warmup start
  EXPECT_FLOAT_EQ(s.lr_at(5), 0.025f);                // halfway up
  EXPECT_FLOAT_EQ(s.lr_at(9), 0.01f + 0.03f * 0.9f);  // last warmup step
  EXPECT_FLOAT_EQ(s.lr_at(10), 0.04f);                // the peak: cosine at 0
  EXPECT_FLOAT_EQ(s.lr_at(55), 0.02f);                // cosine at π/2
  EXPECT_NEAR(s.lr_at(100), 0.f, 1e-12);              // cosine at π
  EXPECT_EQ(s.lr_at(101), 0.f);                       // past the end
  EXPECT_EQ(s.formula(), "linear 0.01 → 0.04 over 10 steps, then cosine 0.04 → 0 until step 100");
}

TEST(CosineLr, MinLrIsTheFloorAndHoldKeepsThePeak) {
  const CosineLr floor({.lr = 0.04f, .total_steps = 100, .warmup_steps = 10, .min_lr = 0.004f});
  EXPECT_FLOAT_EQ(floor.lr_at(0), 0.f);  // warmup_lr defaults to 0
  EXPECT_FLOAT_EQ(floor.lr_at(55), 0.022f);
  EXPECT_FLOAT_EQ(floor.lr_at(100), 0.004f);
  EXPECT_FLOAT_EQ(floor.lr_at(1000), 0.004f);
  const CosineLr hold({.lr = 1.f, .total_steps = 20, .warmup_steps = 4, .hold_steps = 6});
  EXPECT_FLOAT_EQ(hold.lr_at(3), 0.75f);
  EXPECT_FLOAT_EQ(hold.lr_at(4), 1.f);
  EXPECT_FLOAT_EQ(hold.lr_at(10), 1.f);  // last held step
  EXPECT_FLOAT_EQ(hold.lr_at(15), 0.5f);
  EXPECT_NEAR(hold.lr_at(20), 0.f, 1e-7);
  const CosineLr no_warmup({.lr = 2.f, .total_steps = 4});
  EXPECT_FLOAT_EQ(no_warmup.lr_at(0), 2.f);
  EXPECT_FLOAT_EQ(no_warmup.lr_at(2), 1.f);
}

TEST(Schedule, MakeScheduleBuildsTheOneConfigured) {
  const ScheduleOptions options = StepLrOptions{.lr = 1.f, .step_size = 2, .gamma = 0.1f};
  const auto s = make_schedule(options);
  EXPECT_FLOAT_EQ(s->lr_at(2), 0.1f);
  EXPECT_FLOAT_EQ(make_schedule(ConstantLrOptions{.lr = 0.3f})->lr_at(7), 0.3f);
}

TEST(Schedule, RejectsBadOptionsNamingThem) {
  EXPECT_EQ(error_of([] { ConstantLr({.lr = -1.f}); }),
            "constant schedule: expected lr >= 0, got -1");
  EXPECT_EQ(error_of([] { StepLr({.lr = 1.f, .step_size = 0}); }),
            "step schedule: expected step_size >= 1, got 0");
  EXPECT_EQ(error_of([] { StepLr({.lr = 1.f, .step_size = 1, .gamma = 0.f}); }),
            "step schedule: expected gamma > 0, got 0");
  EXPECT_EQ(error_of([] { ExponentialLr({.lr = 1.f, .decay_steps = 0, .decay_rate = 0.5f}); }),
            "exponential schedule: expected decay_steps >= 1, got 0");
  EXPECT_EQ(error_of([] { ExponentialLr({.lr = 1.f}); }),
            "exponential schedule: expected decay_rate > 0, got 0");
  EXPECT_EQ(error_of([] {
              CosineLr({.lr = 1.f, .total_steps = 10, .warmup_steps = 8, .hold_steps = 2});
            }),
            "cosine schedule: expected total_steps > warmup_steps + hold_steps = 10, got 10");
  EXPECT_EQ(error_of([] { CosineLr({.lr = 1.f, .total_steps = 10, .warmup_lr = 2.f}); }),
            "cosine schedule: expected warmup_lr in [0, lr = 1], got 2");
  EXPECT_EQ(error_of([] { CosineLr({.lr = 1.f, .total_steps = 10, .min_lr = -0.1f}); }),
            "cosine schedule: expected min_lr in [0, lr = 1], got -0.1");
  EXPECT_THROW(CosineLr({.lr = 1.f}), ConfigError);
  EXPECT_THAT(error_of([] { ConstantLr({.lr = 1.f}).lr_at(-1); }),
              HasSubstr("lr schedule: expected a step >= 0, got -1"));
}

}  // namespace
}  // namespace occam::optim
