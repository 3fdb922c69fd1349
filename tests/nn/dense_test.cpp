#include "occam/nn/dense.h"

#include "occam/autograd/ops.h"
#include "occam/regularize/regularizer.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

const Tol kTorchTol{1e-5, 1e-4};

// A Dense layer shaped like the fixture's kernel, with the fixture's weights copied in.
// (Modules can be neither copied nor moved, hence the unique_ptr.)
std::unique_ptr<Dense> dense_from_fixture(const Fixture& ref, Activation activation) {
  Rng rng(0);
  const Tensor w = ref("kernel");
  auto layer = std::make_unique<Dense>(
      DenseOptions{.units = w.dim(1), .activation = activation, .name = "dense_1"}, w.dim(0), rng);
  layer->kernel().data().copy_from(w);
  layer->bias()->data().copy_from(ref("bias"));
  return layer;
}

TEST(Dense, ForwardAndGradientsMatchTorch) {
  const auto ref = load_fixture("dense");
  auto owner = dense_from_fixture(ref, Activation::linear);
  Dense& layer = *owner;
  StepContext ctx;
  Var x = leaf(ref("x"));
  Var y = layer(x, ctx);
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
  EXPECT_TENSORS_NEAR(layer.kernel().grad(), ref("d_kernel"), kTorchTol);
  EXPECT_TENSORS_NEAR(layer.bias()->grad(), ref("d_bias"), kTorchTol);
}

TEST(Dense, ReluWithL2MatchesTorch) {
  // The STYLE.md example: objective = sum(relu(x·W + b)) + 0.01·ΣW², the penalty coming from
  // the kernel Parameter's regularizer.
  const auto ref = load_fixture("dense_relu_l2");
  auto owner = dense_from_fixture(ref, Activation::relu);
  Dense& layer = *owner;
  layer.kernel().regularizer = regularize::l2(0.01f);
  StepContext ctx;
  Var y = layer(constant(ref("x")), ctx);
  Var penalty = layer.kernel().regularizer->penalty(layer.kernel().value);
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
  EXPECT_NEAR(penalty.item(), ref("kernel_l2").item(), 1e-6);
  backward(sum(y) + penalty);
  EXPECT_TENSORS_NEAR(layer.kernel().grad(), ref("d_kernel"), kTorchTol);
  EXPECT_TENSORS_NEAR(layer.bias()->grad(), ref("d_bias"), kTorchTol);
}

TEST(Dense, NamesItsParametersAndDrawsFromTheRng) {
  Rng rng(3);
  Dense layer({.units = 2, .name = "dense_7"}, 4, rng);
  ASSERT_EQ(layer.parameters().size(), 2u);
  EXPECT_EQ(layer.parameters()[0]->name, "dense_7/kernel");
  EXPECT_EQ(layer.parameters()[1]->name, "dense_7/bias");
  EXPECT_EQ(layer.kernel().layout, regularize::Layout::dense_kernel);
  EXPECT_EQ(layer.kernel().data().shape(), (Shape{4, 2}));
  for (float v : layer.bias()->data().span()) EXPECT_EQ(v, 0.f);  // zeros by default
  const float limit = std::sqrt(6.f / (4 + 2));
  for (float v : layer.kernel().data().span()) EXPECT_LE(std::fabs(v), limit);

  Rng same(3);
  Dense twin({.units = 2}, 4, same);
  for (int64_t i = 0; i < 8; ++i) EXPECT_EQ(twin.kernel().data()[i], layer.kernel().data()[i]);
  EXPECT_EQ(twin.kernel().name, "kernel");  // unnamed until a Sequential names it
  twin.rename("dense_9");
  EXPECT_EQ(twin.kernel().name, "dense_9/kernel");
  EXPECT_EQ(twin.bias()->name, "dense_9/bias");

  Dense no_bias({.units = 3, .use_bias = false}, 2, rng);
  EXPECT_EQ(no_bias.bias(), nullptr);
  EXPECT_EQ(no_bias.parameters().size(), 1u);
  StepContext ctx;
  EXPECT_EQ(no_bias(constant(Tensor::zeros({5, 2})), ctx).shape(), (Shape{5, 3}));
}

TEST(Dense, GradientsMatchFiniteDifferences) {
  Rng rng(7);
  Dense layer({.units = 3, .activation = Activation::tanh}, 4, rng);
  StepContext ctx;
  testing::check_gradients([&](auto& v) { return sum(square(layer(v[0], ctx))); },
                           {testing::normal({5, 4}, rng)});
}

TEST(Dense, RejectsInputOfWrongWidth) {
  Rng rng(0);
  Dense layer({.units = 2, .name = "dense_1"}, 4, rng);
  StepContext ctx;
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({3, 5})), ctx);
              }),
              HasSubstr("dense_1: expected x [N,4], got [3,5]"));
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({3, 2, 2})), ctx);
              }),
              HasSubstr("dense_1: expected x [N,4], got [3,2,2]"));
  EXPECT_THAT(error_of([&] { layer.output_shape({4}); }),
              HasSubstr("dense_1: expected x [N,4], got [4]"));
  EXPECT_THAT(error_of([&] { Dense({.units = 0}, 4, rng); }),
              HasSubstr("dense: expected units >= 1, got 0"));
  EXPECT_THAT(error_of([&] { Dense({.units = 2, .name = "d"}, -1, rng); }),
              HasSubstr("d: expected in_features >= 1, got -1"));
}

}  // namespace
}  // namespace occam::nn
