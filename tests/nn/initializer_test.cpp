#include "occam/nn/initializer.h"

#include <cmath>

#include "testing/testing.h"

namespace occam::nn {
namespace {

struct Moments {
  double mean = 0, stddev = 0, max_abs = 0;
};
Moments moments_of(const Tensor& t) {
  Moments m;
  for (float v : t.span()) m.mean += v;
  m.mean /= double(t.numel());
  for (float v : t.span()) {
    m.stddev += (v - m.mean) * (v - m.mean);
    m.max_abs = std::max(m.max_abs, double(std::fabs(v)));
  }
  m.stddev = std::sqrt(m.stddev / double(t.numel()));
  return m;
}

TEST(Initializer, FansFollowKerasOnOccamLayouts) {
  EXPECT_EQ(fans_of({300, 100}).in, 300);  // dense [in, out]
  EXPECT_EQ(fans_of({300, 100}).out, 100);
  EXPECT_EQ(fans_of({64, 32, 3, 3}).in, 32 * 9);   // conv OIHW: I·KH·KW
  EXPECT_EQ(fans_of({64, 32, 3, 3}).out, 64 * 9);  // O·KH·KW
  EXPECT_EQ(fans_of({7}).in, 7);
  EXPECT_EQ(fans_of({7}).out, 7);
}

// Uniform U(−l, l) has standard deviation l/√3; a 200k-element sample gets it within ~0.3%.
TEST(Initializer, GlorotAndHeUniformRespectTheirBoundAndVariance) {
  Rng rng(42);
  const Shape dense{400, 500}, conv{64, 32, 5, 5};
  const struct {
    Initializer init;
    Shape shape;
    double limit;
  } cases[] = {
      {Initializer::glorot_uniform, dense, std::sqrt(6.0 / (400 + 500))},
      {Initializer::glorot_uniform, conv, std::sqrt(6.0 / (32 * 25 + 64 * 25))},
      {Initializer::he_uniform, dense, std::sqrt(6.0 / 400)},
      {Initializer::he_uniform, conv, std::sqrt(6.0 / (32 * 25))},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(detail::concat(to_string(c.init), " ", c.shape));
    const Moments m = moments_of(initialize(c.init, c.shape, rng));
    EXPECT_LE(m.max_abs, c.limit);
    EXPECT_GT(m.max_abs, 0.999 * c.limit);  // the whole range is used
    EXPECT_NEAR(m.mean, 0, 0.01 * c.limit);
    EXPECT_NEAR(m.stddev, c.limit / std::sqrt(3.0), 0.01 * c.limit / std::sqrt(3.0));
  }
}

// Truncated normal: σ as stated, and nothing beyond 2·σ/0.8796 (Keras's pre-truncation σ).
TEST(Initializer, GlorotAndHeNormalAreTruncatedWithTheStatedStddev) {
  Rng rng(43);
  const struct {
    Initializer init;
    Shape shape;
    double stddev;
  } cases[] = {
      {Initializer::glorot_normal, {400, 500}, std::sqrt(2.0 / 900)},
      {Initializer::he_normal, {400, 500}, std::sqrt(2.0 / 400)},
      {Initializer::he_normal, {64, 32, 5, 5}, std::sqrt(2.0 / 800)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(detail::concat(to_string(c.init), " ", c.shape));
    const Moments m = moments_of(initialize(c.init, c.shape, rng));
    const double bound = 2 * c.stddev / 0.87962566103423978;
    EXPECT_LE(m.max_abs, bound * (1 + 1e-6));
    EXPECT_GT(m.max_abs, 0.99 * bound);
    EXPECT_NEAR(m.mean, 0, 0.01 * c.stddev);
    EXPECT_NEAR(m.stddev, c.stddev, 0.01 * c.stddev);
  }
}

TEST(Initializer, ConstantsAndSeeds) {
  Rng rng(1);
  const Tensor zeros = initialize(Initializer::zeros, {3, 4}, rng);
  const Tensor ones = initialize(Initializer::ones, {5}, rng);
  for (float v : zeros.span()) EXPECT_EQ(v, 0.f);
  for (float v : ones.span()) EXPECT_EQ(v, 1.f);
  Rng a(9), b(9), c(10);
  const Tensor ta = initialize(Initializer::glorot_normal, {20, 30}, a);
  const Tensor tb = initialize(Initializer::glorot_normal, {20, 30}, b);
  const Tensor tc = initialize(Initializer::glorot_normal, {20, 30}, c);
  int64_t same = 0;
  for (int64_t i = 0; i < ta.numel(); ++i) {
    ASSERT_EQ(ta[i], tb[i]) << "same seed, element " << i;
    same += ta[i] == tc[i];
  }
  EXPECT_LT(same, 3) << "different seeds should give different draws";
}

TEST(Initializer, NamesRoundTripThroughTheTable) {
  for (Initializer i :
       {Initializer::glorot_uniform, Initializer::glorot_normal, Initializer::he_uniform,
        Initializer::he_normal, Initializer::zeros, Initializer::ones})
    EXPECT_EQ(initializer_from_string(to_string(i)), i) << to_string(i);
  EXPECT_EQ(initializer_from_string("xavier"), std::nullopt);
}

}  // namespace
}  // namespace occam::nn
