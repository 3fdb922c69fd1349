// Activity regularization: applied to a module's output, divided by the batch size.
#include "occam/nn/module.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using regularize::L1L2;
using testing::load_fixture;
using testing::Tol;

// y = x·W + b with W and b taken as given (a stand-in for Dense, independent of nn/dense.h).
class Affine final : public Module {
 public:
  Affine(Tensor w, Tensor b) : w_(leaf(std::move(w))), b_(leaf(std::move(b))) {
    set_name("dense_1");
  }
  Var forward(const Var& x, StepContext&) override { return dense(x, w_, b_); }
  Shape output_shape(const Shape& in) const override { return {in[0], w_.dim(1)}; }
  Var w_, b_;
};

void expect_activity_matches_torch(const std::string& name,
                                   std::unique_ptr<regularize::Regularizer> r) {
  SCOPED_TRACE(name);
  const auto ref = load_fixture(name);
  Affine layer(ref("kernel"), ref("bias"));
  layer.activity_regularizer = std::move(r);
  std::vector<Term> terms;
  StepContext ctx{Mode::train, nullptr, &terms};
  Var x = leaf(ref("x"));
  Var y = layer(x, ctx);
  const Tol tol{1e-6, 1e-5};
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), tol);
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].divisor, 4.f);
  EXPECT_EQ(terms[0].source, "dense_1/output");
  EXPECT_NEAR(terms[0].value.item() * terms[0].divisor, ref("penalty_undivided").item(), 1e-5);
  EXPECT_NEAR(terms[0].value.item(), ref("value").item(), 1e-6);
  backward(terms[0].value);
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), tol);
  EXPECT_TENSORS_NEAR(layer.w_.grad(), ref("d_kernel"), tol);
  EXPECT_TENSORS_NEAR(layer.b_.grad(), ref("d_bias"), tol);
}

TEST(ActivityRegularizer, MatchesTorchDividedByBatchSize) {
  expect_activity_matches_torch("activity_l2_dense_batch4", regularize::l2(0.01f));
  expect_activity_matches_torch("activity_l1_dense_batch4", regularize::l1(0.01f));
  // The term is named after the layer output and the penalty kind.
}

TEST(ActivityRegularizer, KerasDocstringExampleIs5Point25) {
  // Dense(5), kernel ones, L1(0.01) kernel, L2(0.01) activity, x = 2·ones(5,5):
  // kernel 0.01·25 = 0.25; outputs all 10: activity 0.01·25·100/5 = 5.0; sum 5.25.
  Affine layer(Tensor::ones({5, 5}), Tensor::zeros({5}));
  layer.activity_regularizer = regularize::l2(0.01f);
  std::vector<Term> terms;
  StepContext ctx{Mode::eval, nullptr, &terms};
  layer(constant(Tensor::full({5, 5}, 2.f)), ctx);
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].name, "dense_1/activity/l2");
  const float kernel_term = L1L2(0.01f, 0.f).penalty(layer.w_).item();
  EXPECT_FLOAT_EQ(kernel_term + terms[0].value.item(), 5.25f);
}

TEST(ActivityRegularizer, NotComputedWhenNoOneCollects) {
  Affine layer(Tensor::ones({2, 2}), Tensor::zeros({2}));
  layer.activity_regularizer = regularize::l2(0.01f);
  StepContext ctx{Mode::eval, nullptr, nullptr};
  Var y = layer(constant(Tensor::ones({3, 2})), ctx);
  EXPECT_EQ(y.dim(0), 3);
}

}  // namespace
}  // namespace occam::nn
