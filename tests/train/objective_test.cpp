#include "occam/train/objective.h"

#include "testing/testing.h"

namespace occam::train {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

nn::Parameter make_param(const std::string& name, Tensor value,
                         std::unique_ptr<regularize::Regularizer> r) {
  nn::Parameter p(name, std::move(value), regularize::Layout::vector);
  p.regularizer = std::move(r);
  return p;
}

TEST(Objective, OrdersTermsDataThenRegularizationThenSums) {
  auto a = make_param("dense_1/kernel", Tensor::from({2}, {3, 4}), regularize::l2(0.1f));  // 2.5
  auto b = make_param("dense_1/bias", Tensor::from({2}, {-1, 2}), regularize::l1(0.5f));   // 1.5
  auto c = make_param("dense_2/kernel", Tensor::from({1}, {9}), nullptr);  // not penalized
  Objective objective;
  objective.add_data_term("classification_loss", constant(Tensor::scalar(0.75f)));
  objective.add_parameter_penalties({&a, &b, &c}, false);
  const auto v = objective.values();
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0].name, "classification_loss");
  EXPECT_EQ(v[1].name, "dense_1/kernel/l2");
  EXPECT_EQ(v[2].name, "dense_1/bias/l1");
  EXPECT_EQ(v[3].name, "regularization_loss");
  EXPECT_EQ(v[4].name, "total_loss");
  EXPECT_FLOAT_EQ(v[1].value, 2.5f);
  EXPECT_FLOAT_EQ(v[2].value, 1.5f);
  EXPECT_FLOAT_EQ(v[3].value, 4.f);
  EXPECT_FLOAT_EQ(v[4].value, 4.75f);
  EXPECT_EQ(objective.regularization_terms()[0].formula, "0.1·Σw² (keras)");
  EXPECT_EQ(objective.regularization_terms()[0].size, 2);
}

TEST(Objective, GradientOfTotalIncludesEveryPenaltyOnBothPaths) {
  for (bool fused : {false, true}) {
    auto a = make_param("w", Tensor::from({2}, {3, -4}), regularize::l1_l2(0.5f, 0.1f));
    Objective objective;
    objective.add_data_term("data", sum(a.value));  // ∂/∂w = 1
    objective.add_parameter_penalties({&a}, fused);
    EXPECT_EQ(objective.has_pending_penalties(), fused);
    backward(objective.differentiable_total());
    objective.apply_penalty_gradients();
    // 1 + 0.5·sign(w) + 2·0.1·w
    EXPECT_FLOAT_EQ(a.value.grad()[0], 1.f + 0.5f + 0.6f) << fused;
    EXPECT_FLOAT_EQ(a.value.grad()[1], 1.f - 0.5f - 0.8f) << fused;
    EXPECT_FLOAT_EQ(objective.values().back().value, -1.f + 3.5f + 2.5f) << fused;
  }
}

// The fused pass runs after backward, onto the data gradient: it must write nothing before
// (the gradient hook sees the data gradient alone), and it adds exactly the penalty gradient.
TEST(Objective, FusedPenaltyGradientIsAppliedAfterBackwardOnly) {
  auto a = make_param("w", Tensor::from({2}, {3, -4}), regularize::l2(0.1f));
  Objective objective;
  objective.add_data_term("data", sum(a.value));  // ∂/∂w = 1
  objective.add_parameter_penalties({&a}, true);
  EXPECT_FALSE(a.value.grad().defined() && (a.value.grad()[0] != 0.f || a.value.grad()[1] != 0.f));
  EXPECT_THAT(error_of([&] { objective.values(); }), HasSubstr("apply_penalty_gradients"));
  backward(objective.differentiable_total());
  EXPECT_FLOAT_EQ(a.value.grad()[0], 1.f);  // the data gradient alone
  EXPECT_FLOAT_EQ(a.value.grad()[1], 1.f);
  objective.apply_penalty_gradients();
  EXPECT_FLOAT_EQ(a.value.grad()[0], 1.f + 0.6f);  // + 2·0.1·w
  EXPECT_FLOAT_EQ(a.value.grad()[1], 1.f - 0.8f);
  EXPECT_FLOAT_EQ(objective.values()[1].value, 0.1f * 25.f);  // 0.1·(9 + 16)
}

TEST(Objective, FrozenRegularizedParametersAreReportedNotCounted) {
  auto a = make_param("frozen/kernel", Tensor::from({1}, {10}), regularize::l2(1.f));
  a.trainable = false;
  Objective objective;
  objective.add_data_term("classification_loss", constant(Tensor::scalar(1.f)));
  objective.add_parameter_penalties({&a}, true);
  EXPECT_TRUE(objective.regularization_terms().empty());
  ASSERT_EQ(objective.frozen_regularized().size(), 1u);
  EXPECT_EQ(objective.frozen_regularized()[0], "frozen/kernel");
  EXPECT_FLOAT_EQ(objective.values().back().value, 1.f);
}

TEST(Objective, ANameCollisionIsAnErrorNeverASuffix) {
  auto a = make_param("dense_1/kernel", Tensor::from({1}, {1}), regularize::l2(1.f));
  auto b = make_param("dense_1/kernel", Tensor::from({1}, {2}), regularize::l2(1.f));
  Objective objective;
  objective.add_data_term("classification_loss", constant(Tensor::scalar(1.f)));
  EXPECT_THAT(error_of([&] {
                objective.add_parameter_penalties({&a, &b}, false);
              }),
              HasSubstr("objective: two terms named 'dense_1/kernel/l2'"));
  Objective reserved;
  EXPECT_THAT(
      error_of([&] { reserved.add_data_term("total_loss", constant(Tensor::scalar(1.f))); }),
      HasSubstr("two terms named 'total_loss'"));
  EXPECT_THAT(error_of([&] { Objective().total(); }), HasSubstr("objective: no data term"));
}

TEST(Objective, FusedTermsLeaveGradientsAloneInInferenceMode) {
  auto a = make_param("w", Tensor::from({1}, {3}), regularize::l2(1.f));
  InferenceMode no_tape;
  Objective objective;
  objective.add_data_term("data", constant(Tensor::scalar(0.f)));
  objective.add_parameter_penalties({&a}, true);
  EXPECT_FLOAT_EQ(objective.values().back().value, 9.f);
  EXPECT_FALSE(a.value.grad().defined());
}

}  // namespace
}  // namespace occam::train
