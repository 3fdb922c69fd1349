#include "occam/nn/flatten.h"

#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

TEST(Flatten, MatchesTorchInCHWOrder) {
  const auto ref = load_fixture("flatten");
  Flatten layer;
  StepContext ctx;
  Var x = leaf(ref("x"));
  Var y = layer(x, ctx);
  EXPECT_EQ(layer.output_shape(x.shape()), (Shape{2, 12}));
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), (Tol{1e-6, 0}));  // a view: exact
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), (Tol{1e-6, 0}));
}

TEST(Flatten, KeepsTheBatchAndRejectsAScalar) {
  Flatten layer("flatten_2");
  EXPECT_EQ(layer.type_name(), "flatten");
  EXPECT_EQ(layer.output_shape({5}), (Shape{5, 1}));
  EXPECT_EQ(layer.output_shape({5, 3}), (Shape{5, 3}));
  EXPECT_EQ(layer.output_shape({0, 2, 3}), (Shape{0, 6}));
  StepContext ctx;
  EXPECT_THAT(error_of([&] { layer(constant(Tensor::scalar(1.f)), ctx); }),
              HasSubstr("flatten_2: expected x [N, ...], got a scalar"));
}

}  // namespace
}  // namespace occam::nn
