#include "occam/nn/dropout.h"

#include <cmath>

#include "occam/autograd/ops.h"
#include "occam/tensor/threads.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

// Statistics of a large sample: 100k draws put a fraction within ~0.5% and a standard
// deviation within ~1% (several standard errors), so the bounds below do not flake.
constexpr int64_t kLarge = 100000;

TEST(Dropout, EvalModeAndRateZeroReturnXItself) {
  Rng rng(1);
  Var x = constant(testing::normal({4, 5}, rng));
  StepContext eval{Mode::eval, &rng};
  StepContext train{Mode::train, &rng};
  Dropout dropout({.rate = 0.5f});
  SpatialDropout2D spatial({.rate = 0.5f});
  GaussianDropout gaussian({.rate = 0.5f});
  GaussianNoise noise({.stddev = 1.f});
  EXPECT_EQ(dropout(x, eval).node(), x.node());
  EXPECT_EQ(gaussian(x, eval).node(), x.node());
  EXPECT_EQ(noise(x, eval).node(), x.node());
  Var image = constant(testing::normal({2, 3, 2, 2}, rng));
  EXPECT_EQ(spatial(image, eval).node(), image.node());
  EXPECT_EQ(Dropout({.rate = 0.f})(x, train).node(), x.node());
  EXPECT_EQ(GaussianNoise({.stddev = 0.f})(x, train).node(), x.node());
}

TEST(Dropout, DropsAboutRateAndScalesSurvivorsExactly) {
  for (float rate : {0.1f, 0.25f, 0.5f, 0.8f}) {
    SCOPED_TRACE(rate);
    Rng rng(2);
    const Tensor x = testing::uniform({kLarge}, rng, 0.5f, 1.5f);  // never 0
    StepContext train{Mode::train, &rng};
    Tensor y = Dropout({.rate = rate})(constant(x), train).value();
    const float scale = 1.f / (1.f - rate);  // torch: x·(mask/(1−rate))
    int64_t dropped = 0;
    for (int64_t i = 0; i < kLarge; ++i) {
      if (y[i] == 0.f) {
        ++dropped;
      } else {
        ASSERT_EQ(y[i], x[i] * scale) << "survivor " << i;
      }
    }
    EXPECT_NEAR(double(dropped) / kLarge, rate, 0.005);
  }
}

TEST(Dropout, GradientUsesTheSameMaskAndTheSameSeedGivesTheSameMask) {
  Rng a(5), b(5);
  StepContext ta{Mode::train, &a}, tb{Mode::train, &b};
  Dropout dropout({.rate = 0.3f});
  Var x = leaf(Tensor::ones({50, 20}));
  Var y = dropout(x, ta);
  backward(sum(y));
  // d(Σy)/dx = mask/(1−rate) = y/x = y here.
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(x.grad()[i], y.value()[i]);
  Tensor again = dropout(constant(Tensor::ones({50, 20})), tb).value();
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(again[i], y.value()[i]);
}

// The mask is drawn with an integer threshold on counter-based bits (no branch per element);
// it must be exactly keep[i] = (u_i·2⁻²⁴ >= rate), u_i the top 24 bits of output i of SplitMix64
// started at one draw of the layer's generator, for rates that are and are not k/2²⁴, for a
// mask large enough to be drawn by several threads, and leave the generator one draw further.
TEST(Dropout, MaskIsTheCounterBasedUniformAtLeastRate) {
  const int threads = num_threads();
  set_num_threads(2);
  for (float rate : {0.2f, 0.25f, 0.5f, 1.f / 3.f, 0.999f}) {
    SCOPED_TRACE(rate);
    Rng layer_rng(17), plain(17);
    StepContext train{Mode::train, &layer_rng};
    Tensor y = Dropout({.rate = rate})(constant(Tensor::ones({100003})), train).value();
    // SplitMix64 written out as its stream: state += γ, then the output mix.
    uint64_t state = plain.next_u64();
    for (int64_t i = 0; i < y.numel(); ++i) {
      state += 0x9e3779b97f4a7c15ull;
      uint64_t z = state;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      const bool keep = float(z >> 40) * (1.0f / 16777216.0f) >= rate;
      ASSERT_EQ(y[i] != 0.f, keep) << "element " << i;
    }
    EXPECT_EQ(layer_rng.next_u64(), plain.next_u64()) << "the generators must end in step";
  }
  set_num_threads(threads);
}

TEST(SpatialDropout2D, DropsWholeChannels) {
  Rng rng(3);
  const int64_t N = 50, C = 40, H = 3, W = 4;
  const Tensor x = testing::uniform({N, C, H, W}, rng, 0.5f, 1.5f);
  StepContext train{Mode::train, &rng};
  SpatialDropout2D spatial({.rate = 0.4f});
  Tensor y = spatial(constant(x), train).value();
  int64_t dropped = 0;
  for (int64_t plane = 0; plane < N * C; ++plane) {
    const bool kept = y[plane * H * W] != 0.f;
    dropped += !kept;
    for (int64_t i = plane * H * W; i < (plane + 1) * H * W; ++i)
      ASSERT_EQ(y[i], kept ? x[i] * (1.f / 0.6f) : 0.f) << "plane " << plane << " is mixed";
  }
  // 2000 channels: the fraction's standard error is 0.011.
  EXPECT_NEAR(double(dropped) / (N * C), 0.4, 0.04);
  EXPECT_THAT(error_of([&] {
                spatial(constant(Tensor::zeros({2, 3})), train);
              }),
              HasSubstr("spatial_dropout2d: expected x [N,C,H,W], got [2,3]"));
}

TEST(GaussianDropout, MultipliesByNoiseOfMeanOneAndVarianceRateOverOneMinusRate) {
  Rng rng(4);
  StepContext train{Mode::train, &rng};
  const float rate = 0.2f;  // variance 0.25, stddev 0.5
  Var x = leaf(Tensor::full({kLarge}, 2.f));
  Var y = GaussianDropout({.rate = rate})(x, train);
  double mean = 0, sq = 0;
  for (float v : y.value().span()) mean += v / 2.0;  // the multiplier m = y/x
  mean /= kLarge;
  for (float v : y.value().span()) sq += (v / 2.0 - mean) * (v / 2.0 - mean);
  EXPECT_NEAR(mean, 1.0, 0.005);
  EXPECT_NEAR(std::sqrt(sq / kLarge), 0.5, 0.005);
  backward(sum(y));
  for (int64_t i = 0; i < 10; ++i) EXPECT_FLOAT_EQ(x.grad()[i], y.value()[i] / 2.f);  // dy·m
}

TEST(GaussianNoise, AddsNoiseOfTheGivenStddevAndPassesTheGradient) {
  Rng rng(6);
  StepContext train{Mode::train, &rng};
  Var x = leaf(Tensor::full({kLarge}, 3.f));
  Var y = GaussianNoise({.stddev = 0.7f})(x, train);
  double mean = 0, sq = 0;
  for (float v : y.value().span()) mean += v - 3.0;
  mean /= kLarge;
  for (float v : y.value().span()) sq += (v - 3.0 - mean) * (v - 3.0 - mean);
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(std::sqrt(sq / kLarge), 0.7, 0.007);
  backward(sum(y));
  for (int64_t i = 0; i < 10; ++i) EXPECT_EQ(x.grad()[i], 1.f);
}

TEST(Dropout, RejectsBadRatesAndAMissingRng) {
  EXPECT_THAT(error_of([] { Dropout({.rate = 1.f}); }),
              HasSubstr("dropout: expected 0 <= rate < 1, got 1"));
  EXPECT_THAT(error_of([] { SpatialDropout2D({.rate = -0.1f, .name = "sd"}); }),
              HasSubstr("sd: expected 0 <= rate < 1, got -0.1"));
  EXPECT_THAT(error_of([] { GaussianDropout({.rate = 1.5f}); }),
              HasSubstr("gaussian_dropout: expected 0 <= rate < 1, got 1.5"));
  EXPECT_THAT(error_of([] { GaussianNoise({.stddev = -1.f}); }),
              HasSubstr("gaussian_noise: expected stddev >= 0, got -1"));
  StepContext no_rng{Mode::train, nullptr};
  Dropout dropout({.rate = 0.5f, .name = "dropout_1"});
  EXPECT_THAT(error_of([&] {
                dropout(constant(Tensor::ones({2, 2})), no_rng);
              }),
              HasSubstr("dropout_1: train mode needs StepContext::rng to draw from"));
}

}  // namespace
}  // namespace occam::nn
