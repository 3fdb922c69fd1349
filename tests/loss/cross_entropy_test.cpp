#include "occam/loss/cross_entropy.h"

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

// The plain path: −mean_i Σ_c t[i,c]·log_softmax(z)[i,c] from primitives, t the smoothed one-hot.
Var softmax_cross_entropy_unfused(const Var& logits, std::span<const int64_t> labels,
                                  float smoothing) {
  const int64_t N = logits.dim(0), C = logits.dim(1);
  Tensor target = Tensor::full({N, C}, smoothing / float(C));
  for (int64_t i = 0; i < N; ++i) target[i * C + labels[i]] += 1.f - smoothing;
  // Shifting by the (constant) row max does not change log_softmax; it keeps exp finite.
  Tensor row_max = Tensor::empty({N, 1});
  for (int64_t i = 0; i < N; ++i) {
    row_max[i] = logits.value()[i * C];
    for (int64_t c = 1; c < C; ++c) row_max[i] = std::max(row_max[i], logits.value()[i * C + c]);
  }
  Var shifted = logits - constant(row_max);
  Var log_softmax = shifted - log(sum(exp(shifted), {1}, /*keepdims=*/true));
  return -mean(sum(constant(target) * log_softmax, {1}));
}

void expect_softmax_ce_matches_torch(const std::string& name, float smoothing) {
  SCOPED_TRACE(name);
  const auto ref = load_fixture(name);
  ASSERT_FLOAT_EQ(float(ref.param("label_smoothing")), smoothing);
  const std::vector<int64_t> labels = ref.labels("labels");
  Var logits = leaf(ref("logits"));
  Var loss = softmax_cross_entropy(logits, labels, smoothing);
  // float32 against float64: a log-sum-exp over 5 classes and a mean over 6 rows, values ~2.
  EXPECT_NEAR(loss.item(), ref("value").item(), 1e-6);
  backward(loss);
  EXPECT_TENSORS_NEAR(logits.grad(), ref("d_logits"), (Tol{1e-7, 1e-6}));
}

TEST(SoftmaxCrossEntropy, MatchesTorch) {
  expect_softmax_ce_matches_torch("softmax_cross_entropy", 0.f);
}

TEST(SoftmaxCrossEntropy, LabelSmoothingMatchesTorch) {
  expect_softmax_ce_matches_torch("softmax_cross_entropy_label_smoothing", 0.1f);
}

TEST(SoftmaxCrossEntropy, UniformLogitsGiveLogOfClassCount) {
  // softmax = 1/4 everywhere: loss = log 4 whatever the labels and the smoothing;
  // d_logits = (1/4 − t)/N.
  const std::vector<int64_t> labels = {3, 0};
  Var logits = leaf(Tensor::zeros({2, 4}));
  Var loss = softmax_cross_entropy(logits, labels, 0.2f);
  EXPECT_FLOAT_EQ(loss.item(), std::log(4.f));
  backward(loss);
  // t = 0.8·onehot + 0.05: labelled class 0.85, others 0.05.
  EXPECT_TENSORS_NEAR(logits.grad(),
                      Tensor::from({2, 4}, {0.1f, 0.1f, 0.1f, -0.3f, -0.3f, 0.1f, 0.1f, 0.1f}),
                      (Tol{1e-7, 0}));
}

TEST(SoftmaxCrossEntropy, HugeLogitsStayFinite) {
  // Row 0 is confidently right (loss 0), row 1 confidently wrong by 2000 (loss 2000).
  const std::vector<int64_t> labels = {0, 0};
  Var logits = leaf(Tensor::from({2, 2}, {1000.f, -1000.f, -1000.f, 1000.f}));
  Var loss = softmax_cross_entropy(logits, labels);
  EXPECT_FLOAT_EQ(loss.item(), 1000.f);  // (0 + 2000)/2
  backward(loss);
  EXPECT_TENSORS_NEAR(logits.grad(), Tensor::from({2, 2}, {0.f, 0.f, -0.5f, 0.5f}), (Tol{1e-7, 0}));
}

TEST(SoftmaxCrossEntropy, FusedMatchesComposition) {
  Rng rng(3);
  const std::vector<int64_t> labels = {4, 0, 2, 2, 1, 6, 3};
  for (float smoothing : {0.f, 0.1f, 1.f}) {
    SCOPED_TRACE(smoothing);
    const Tensor z = testing::normal({7, 7}, rng, 3.f);
    Var fused_in = leaf(z.clone()), plain_in = leaf(z.clone());
    Var fused = softmax_cross_entropy(fused_in, labels, smoothing);
    Var plain = softmax_cross_entropy_unfused(plain_in, labels, smoothing);
    EXPECT_NEAR(fused.item(), plain.item(), 2e-6 * std::fabs(plain.item()));
    backward(fused);
    backward(plain);
    EXPECT_TENSORS_NEAR(fused_in.grad(), plain_in.grad(), (Tol{1e-7, 1e-5}));
  }
}

TEST(SoftmaxCrossEntropy, GradientsMatchFiniteDifferences) {
  Rng rng(5);
  const std::vector<int64_t> labels = {1, 0, 3};
  for (float smoothing : {0.f, 0.3f})
    check_gradients(
        [&](const std::vector<Var>& v) { return softmax_cross_entropy(v[0], labels, smoothing); },
        {testing::normal({3, 4}, rng)});
}

TEST(SoftmaxCrossEntropy, RejectsLabelsOutOfRange) {
  Var logits = constant(Tensor::zeros({3, 5}));
  const std::vector<int64_t> too_big = {0, 4, 5}, negative = {-1, 0, 0};
  EXPECT_THAT(error_of([&] { softmax_cross_entropy(logits, too_big); }),
              HasSubstr("softmax_cross_entropy: label 5 at index 2 is out of range [0, 5)"));
  EXPECT_THAT(error_of([&] { softmax_cross_entropy(logits, negative); }),
              HasSubstr("label -1 at index 0 is out of range [0, 5)"));
}

TEST(SoftmaxCrossEntropy, RejectsBadShapesAndSmoothing) {
  const std::vector<int64_t> two = {0, 1}, three = {0, 1, 2};
  EXPECT_THAT(
      error_of([&] {
        softmax_cross_entropy(constant(Tensor::zeros({3, 5})), two);
      }),
      HasSubstr("softmax_cross_entropy: expected 3 labels (one per row of logits [3,5]), got 2"));
  EXPECT_THAT(error_of([&] { softmax_cross_entropy(constant(Tensor::zeros({3})), three); }),
              HasSubstr("softmax_cross_entropy: expected logits [N,C], got [3]"));
  EXPECT_THAT(error_of([&] {
                softmax_cross_entropy(constant(Tensor::zeros({3, 5})), three, 1.5f);
              }),
              HasSubstr("expected label_smoothing in [0, 1], got 1.5"));
}

// ---- sigmoid binary cross-entropy ----

TEST(SigmoidBinaryCrossEntropy, MatchesTorch) {
  const auto ref = load_fixture("sigmoid_binary_cross_entropy");
  Var logits = leaf(ref("logits"));
  Var loss = sigmoid_binary_cross_entropy(logits, ref("targets"));
  EXPECT_NEAR(loss.item(), ref("value").item(), 1e-6);
  backward(loss);
  EXPECT_TENSORS_NEAR(logits.grad(), ref("d_logits"), (Tol{1e-7, 1e-6}));
}

TEST(SigmoidBinaryCrossEntropy, FusedMatchesComposition) {
  Rng rng(8);
  const Tensor z = testing::normal({5, 3}, rng, 4.f);
  const Tensor t = testing::uniform({5, 3}, rng, 0.f, 1.f);
  Var fused_in = leaf(z.clone()), plain_in = leaf(z.clone());
  Var fused = sigmoid_binary_cross_entropy(fused_in, t);
  Var zero = constant(Tensor::scalar(0.f));
  Var plain =
      mean(maximum(plain_in, zero) - plain_in * constant(t) + log(1.f + exp(-abs(plain_in))));
  EXPECT_NEAR(fused.item(), plain.item(), 1e-6);
  backward(fused);
  backward(plain);
  EXPECT_TENSORS_NEAR(fused_in.grad(), plain_in.grad(), (Tol{1e-7, 1e-5}));
}

TEST(SigmoidBinaryCrossEntropy, HandValuesAndHugeLogits) {
  // z = 0: log 2 whatever t; z = ±100 with the right target: 0; z = −100, t = 1: 100.
  Var z = leaf(Tensor::from({4}, {0.f, 100.f, -100.f, -100.f}));
  Var loss = sigmoid_binary_cross_entropy(z, Tensor::from({4}, {0.3f, 1.f, 0.f, 1.f}));
  EXPECT_FLOAT_EQ(loss.item(), (std::log(2.f) + 100.f) / 4);
  backward(loss);
  // (σ(z) − t)/4: at z = 0 the exact 0.5 − 0.3 (no kink in the fused op).
  EXPECT_TENSORS_NEAR(z.grad(), Tensor::from({4}, {0.05f, 0.f, 0.f, -0.25f}), (Tol{1e-7, 0}));
}

TEST(SigmoidBinaryCrossEntropy, GradientsMatchFiniteDifferences) {
  Rng rng(9);
  const Tensor t = testing::uniform({3, 4}, rng, 0.f, 1.f);
  check_gradients([&](const std::vector<Var>& v) { return sigmoid_binary_cross_entropy(v[0], t); },
                  {testing::normal({3, 4}, rng, 2.f)});
}

TEST(SigmoidBinaryCrossEntropy, RejectsTargetsOfAnotherShape) {
  EXPECT_THAT(
      error_of([] {
        sigmoid_binary_cross_entropy(constant(Tensor::zeros({4, 3})), Tensor::zeros({4, 2}));
      }),
      HasSubstr("sigmoid_binary_cross_entropy: expected targets of the same shape as "
                "logits [4,3], got [4,2]"));
}

}  // namespace
}  // namespace occam::loss
