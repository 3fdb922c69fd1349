#include "occam/loss/detection.h"

#include <cmath>

#include "occam/autograd/ops.h"
#include "occam/loss/cross_entropy.h"
#include "testing/testing.h"

namespace occam::loss {
namespace {

using testing::check_gradients;
using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

// One-hot targets [B,A,K] where anchor j has class classes[j] (−1: background, all zeros).
Tensor one_hot(int64_t B, int64_t A, int64_t K, const std::vector<int>& classes) {
  Tensor t = Tensor::zeros({B, A, K});
  for (int64_t j = 0; j < B * A; ++j)
    if (classes[j] >= 0) t[j * K + classes[j]] = 1.f;
  return t;
}

// The plain path: the focal loss with γ = 2 from primitives.
Var sigmoid_focal_unfused(const Var& z, const Tensor& t, const Tensor& w, float alpha) {
  Var tt = constant(t);
  Var p = sigmoid(z);
  Var one_minus_pt = tt * (1.f - p) + (1.f - tt) * p;
  Var alpha_t = constant(t) * alpha + (1.f - tt) * (1.f - alpha);
  Var ce = maximum(z, constant(Tensor::scalar(0.f))) - z * tt + log(1.f + exp(-abs(z)));
  return square(one_minus_pt) * alpha_t * ce * constant(w);
}

TEST(WeightedSmoothL1Od, MatchesTfOdApi) {
  const auto ref = load_fixture("weighted_smooth_l1_od");
  ASSERT_EQ(ref.param("delta"), 1.0);
  Var p = leaf(ref("prediction"));
  Var y = weighted_smooth_l1_od(p, ref("target"), ref("weights"));
  // Sums of 4 Huber terms, values up to ~10: float32 rounding ~1e-6 absolute.
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), (Tol{1e-6, 1e-6}));
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(p.grad(), ref("d_prediction"), (Tol{1e-7, 1e-6}));
}

TEST(WeightedSmoothL1Od, HandValues) {
  // anchor 0: e = (0.5, −2, 0, 0), weight 2 → 2·(0.125 + 1.5) = 3.25;  anchor 1: weight 0 → 0
  Var p = leaf(Tensor::from({1, 2, 4}, {0.5f, -2.f, 0.f, 0.f, 9.f, 9.f, 9.f, 9.f}));
  Var y = weighted_smooth_l1_od(p, Tensor::zeros({1, 2, 4}), Tensor::from({1, 2}, {2.f, 0.f}));
  EXPECT_TENSORS_NEAR(y.value(), Tensor::from({1, 2}, {3.25f, 0.f}), (Tol{1e-7, 0}));
  backward(sum(y));
  EXPECT_TENSORS_NEAR(p.grad(), Tensor::from({1, 2, 4}, {1.f, -2.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}),
                      (Tol{1e-7, 0}));
}

TEST(WeightedSmoothL1Od, GradientsMatchFiniteDifferences) {
  Rng rng(31);
  const Tensor t = testing::normal({2, 3, 4}, rng);
  const Tensor w = testing::uniform({2, 3}, rng, 0.f, 2.f);
  Tensor p = t.clone();  // |e| at least 0.1 from the kink at δ = 1
  for (float& v : p.span())
    v += (rng.uniform() < 0.5f ? -1.f : 1.f) * rng.uniform(0.1f, 0.8f) *
         (rng.uniform() < 0.5f ? 1.f : 2.5f);
  const Tensor d_y = testing::normal({2, 3}, rng);
  check_gradients(
      [&](const std::vector<Var>& v) {
        return sum(weighted_smooth_l1_od(v[0], t, w) * constant(d_y));
      },
      {p});
}

TEST(WeightedSmoothL1Od, ErrorsNameTheLossAndBothShapes) {
  Var p = constant(Tensor::zeros({2, 3, 4}));
  EXPECT_THAT(error_of([&] {
                weighted_smooth_l1_od(p, Tensor::zeros({2, 4, 4}), Tensor::zeros({2, 3}));
              }),
              HasSubstr("weighted_smooth_l1_od: expected target of the same shape as prediction "
                        "[2,3,4], got [2,4,4]"));
  EXPECT_THAT(error_of([&] {
                weighted_smooth_l1_od(p, Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 3, 1}));
              }),
              HasSubstr("weighted_smooth_l1_od: expected weights [B,A] = [2,3] for prediction "
                        "[2,3,4], got [2,3,1]"));
  EXPECT_THAT(error_of([&] {
                weighted_smooth_l1_od(constant(Tensor::zeros({6, 4})), Tensor::zeros({6, 4}),
                                      Tensor::zeros({6}));
              }),
              HasSubstr("weighted_smooth_l1_od: expected prediction [B,A,C], got [6,4]"));
}

// ---- sigmoid focal ----

TEST(SigmoidFocalOd, MatchesTfOdApi) {
  const auto ref = load_fixture("sigmoid_focal_od");
  const FocalOptions options{.gamma = float(ref.param("gamma")),
                             .alpha = float(ref.param("alpha"))};
  Var z = leaf(ref("logits"));
  Var y = sigmoid_focal_od(z, ref("targets"), ref("weights"), options);
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), (Tol{1e-7, 1e-5}));
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(z.grad(), ref("d_logits"), (Tol{1e-7, 1e-5}));
}

TEST(SigmoidFocalOd, RetinaNetNormalizationMatchesTorch) {
  const auto ref = load_fixture("sigmoid_focal_retinanet");
  const Tensor targets = ref("targets");
  EXPECT_EQ(count_positive_anchors(targets), int64_t(ref.param("num_positive_anchors")));
  Var z = leaf(ref("logits"));
  const Tensor per_anchor = Tensor::ones({z.dim(0), z.dim(1), 1});
  Var loss = normalize_by_positive_anchors(sigmoid_focal_od(z, targets, per_anchor), targets);
  EXPECT_NEAR(loss.item(), ref("value").item(), 1e-6);
  backward(loss);
  EXPECT_TENSORS_NEAR(z.grad(), ref("d_logits"), (Tol{1e-7, 1e-5}));
}

TEST(SigmoidFocalOd, FusedMatchesComposition) {
  Rng rng(41);
  const Tensor z = testing::normal({2, 5, 3}, rng, 3.f);
  const Tensor t = one_hot(2, 5, 3, {0, -1, 2, 1, -1, -1, 2, 0, -1, 1});
  const Tensor w = testing::uniform({2, 5, 1}, rng, 0.f, 1.f);
  const Tensor d_y = testing::normal({2, 5, 3}, rng);
  Var fused_in = leaf(z.clone()), plain_in = leaf(z.clone());
  Var fused = sigmoid_focal_od(fused_in, t, w, {.gamma = 2.f, .alpha = 0.25f});
  Var plain = sigmoid_focal_unfused(plain_in, t, w, 0.25f);
  EXPECT_TENSORS_NEAR(fused.value(), plain.value(), (Tol{1e-7, 1e-5}));
  backward(fused, d_y);
  backward(plain, d_y);
  EXPECT_TENSORS_NEAR(fused_in.grad(), plain_in.grad(), (Tol{1e-7, 1e-5}));
}

TEST(SigmoidFocalOd, GammaZeroWithoutAlphaIsBinaryCrossEntropy) {
  Rng rng(42);
  const Tensor z = testing::normal({2, 3, 4}, rng, 2.f);
  const Tensor t = testing::uniform({2, 3, 4}, rng, 0.f, 1.f);
  Var a = leaf(z.clone()), b = leaf(z.clone());
  Var focal =
      mean(sigmoid_focal_od(a, t, Tensor::ones({2, 3, 1}), {.gamma = 0.f, .alpha = std::nullopt}));
  Var bce = sigmoid_binary_cross_entropy(b, t);
  EXPECT_NEAR(focal.item(), bce.item(), 1e-6);
  backward(focal);
  backward(bce);
  EXPECT_TENSORS_NEAR(a.grad(), b.grad(), (Tol{1e-8, 1e-5}));
}

TEST(SigmoidFocalOd, PerEntryWeightsEqualBroadcastPerAnchorWeights) {
  Rng rng(43);
  const Tensor z = testing::normal({2, 2, 3}, rng);
  const Tensor t = one_hot(2, 2, 3, {1, -1, 0, 2});
  const Tensor w_anchor = Tensor::from({2, 2, 1}, {0.5f, 1.f, 0.f, 2.f});
  Tensor w_entry = Tensor::empty({2, 2, 3});
  for (int64_t i = 0; i < 12; ++i) w_entry[i] = w_anchor[i / 3];
  EXPECT_TENSORS_NEAR(sigmoid_focal_od(constant(z), t, w_entry).value(),
                      sigmoid_focal_od(constant(z), t, w_anchor).value(), (Tol{0, 0}));
}

TEST(SigmoidFocalOd, GradientsMatchFiniteDifferences) {
  Rng rng(44);
  const Tensor t = one_hot(2, 3, 2, {0, -1, 1, 1, -1, 0});
  const Tensor w = testing::uniform({2, 3, 1}, rng, 0.5f, 1.5f);
  const Tensor d_y = testing::normal({2, 3, 2}, rng);
  for (FocalOptions options : {FocalOptions{}, FocalOptions{.gamma = 0.5f, .alpha = 0.75f},
                               FocalOptions{.gamma = 0.f, .alpha = std::nullopt}}) {
    SCOPED_TRACE(options.gamma);
    check_gradients(
        [&](const std::vector<Var>& v) {
          return sum(sigmoid_focal_od(v[0], t, w, options) * constant(d_y));
        },
        {testing::normal({2, 3, 2}, rng, 2.f)});
  }
}

TEST(SigmoidFocalOd, NoPositiveAnchorDividesByOne) {
  const Tensor background = Tensor::zeros({1, 2, 3});
  EXPECT_EQ(count_positive_anchors(background), 0);
  Var y = constant(Tensor::full({1, 2, 3}, 0.5f));
  EXPECT_FLOAT_EQ(normalize_by_positive_anchors(y, background).item(), 3.f);
}

TEST(SigmoidFocalOd, ErrorsNameTheLossAndBothShapes) {
  Var z = constant(Tensor::zeros({2, 4, 3}));
  EXPECT_THAT(error_of([&] {
                sigmoid_focal_od(z, Tensor::zeros({2, 4, 2}), Tensor::ones({2, 4, 1}));
              }),
              HasSubstr("sigmoid_focal_od: expected targets of the same shape as logits [2,4,3], "
                        "got [2,4,2]"));
  EXPECT_THAT(error_of([&] {
                sigmoid_focal_od(z, Tensor::zeros({2, 4, 3}), Tensor::ones({2, 4}));
              }),
              HasSubstr("sigmoid_focal_od: expected weights [2,4,1] or [2,4,3] for logits [2,4,3], "
                        "got [2,4]"));
  EXPECT_THAT(
      error_of([&] {
        sigmoid_focal_od(z, Tensor::zeros({2, 4, 3}), Tensor::ones({2, 4, 1}), {.gamma = -1.f});
      }),
      HasSubstr("sigmoid_focal_od: expected gamma >= 0, got -1"));
  EXPECT_THAT(
      error_of([&] {
        sigmoid_focal_od(z, Tensor::zeros({2, 4, 3}), Tensor::ones({2, 4, 1}), {.alpha = 1.5f});
      }),
      HasSubstr("sigmoid_focal_od: expected alpha in [0, 1], got 1.5"));
  EXPECT_THAT(error_of([&] {
                normalize_by_positive_anchors(z, Tensor::zeros({2, 4, 2}));
              }),
              HasSubstr("normalize_by_positive_anchors: expected a loss of the targets' shape "
                        "[2,4,2], got [2,4,3]"));
}

}  // namespace
}  // namespace occam::loss
