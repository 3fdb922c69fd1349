#include "occam/nn/conv2d.h"

#include "occam/autograd/ops.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

const Tol kTorchTol{1e-5, 1e-4};

TEST(Conv2D, ForwardAndGradientsMatchTorch) {
  // Torch's symmetric padding equals Keras's 'same' only at stride 1 (conv2d_s2_p1 is the
  // op's test: tests/autograd/nn_ops_test.cpp).
  const struct {
    const char* name;
    Size2 strides;
    Padding padding;
  } cases[] = {{"conv2d_s1_p0", {1, 1}, Padding::valid},
               {"conv2d_s1_p1", {1, 1}, Padding::same},
               {"conv2d_s2_p0", {2, 2}, Padding::valid}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto ref = load_fixture(c.name);
    const Tensor w = ref("kernel");
    Rng rng(0);
    Conv2D layer({.filters = w.dim(0),
                  .kernel_size = {w.dim(2), w.dim(3)},
                  .strides = c.strides,
                  .padding = c.padding,
                  .name = "conv2d_1"},
                 w.dim(1), rng);
    layer.kernel().data().copy_from(w);
    layer.bias()->data().copy_from(ref("bias"));
    StepContext ctx;
    Var x = leaf(ref("x"));
    Var y = layer(x, ctx);
    EXPECT_EQ(layer.output_shape(x.shape()), y.shape());
    EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
    backward(y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
    EXPECT_TENSORS_NEAR(layer.kernel().grad(), ref("d_kernel"), kTorchTol);
    EXPECT_TENSORS_NEAR(layer.bias()->grad(), ref("d_bias"), kTorchTol);
  }
}

TEST(Conv2D, SamePaddingKeepsCeilOfInputOverStride) {
  Rng rng(1);
  StepContext ctx;
  Conv2D s1({.filters = 4, .kernel_size = {3, 3}, .padding = Padding::same}, 2, rng);
  Conv2D s2({.filters = 4, .kernel_size = {3, 3}, .strides = {2, 2}, .padding = Padding::same}, 2,
            rng);
  EXPECT_EQ(s1.output_shape({5, 2, 7, 6}), (Shape{5, 4, 7, 6}));
  EXPECT_EQ(s2.output_shape({5, 2, 7, 6}), (Shape{5, 4, 4, 3}));
  EXPECT_EQ(s2.padding_for(6, 6), (Padding2d{0, 1, 0, 1}));  // the odd pixel at the bottom/right
  EXPECT_EQ(s2(constant(Tensor::zeros({1, 2, 7, 6})), ctx).shape(), (Shape{1, 4, 4, 3}));
  // The padding is zeros: a 'same' convolution of ones with a kernel of ones counts the
  // in-image taps, 4 in a corner of a stride-1 3x3.
  s1.kernel().data().fill(1.f);
  Var y = s1(constant(Tensor::ones({1, 2, 7, 6})), ctx);
  EXPECT_FLOAT_EQ(y.value()[0], 2 * 4.f);  // 2 channels × 4 taps
  EXPECT_FLOAT_EQ(y.value()[7], 2 * 9.f);  // row 1, column 1: all 9 taps
}

TEST(Conv2D, NamesItsParametersAndUsesOIHW) {
  Rng rng(2);
  Conv2D layer(
      {.filters = 8, .kernel_size = {5, 3}, .activation = Activation::relu, .name = "conv2d_2"}, 3,
      rng);
  EXPECT_EQ(layer.type_name(), "conv2d");
  EXPECT_EQ(layer.kernel().name, "conv2d_2/kernel");
  EXPECT_EQ(layer.bias()->name, "conv2d_2/bias");
  EXPECT_EQ(layer.kernel().data().shape(), (Shape{8, 3, 5, 3}));
  EXPECT_EQ(layer.kernel().layout, regularize::Layout::conv_kernel);
  const float limit = std::sqrt(6.f / (3 * 15 + 8 * 15));  // glorot_uniform on OIHW fans
  for (float v : layer.kernel().data().span()) EXPECT_LE(std::fabs(v), limit);
  StepContext ctx;
  Var y = layer(constant(testing::normal({2, 3, 6, 6}, rng)), ctx);
  for (float v : y.value().span()) EXPECT_GE(v, 0.f);  // relu applied
}

TEST(Conv2D, GradientsMatchFiniteDifferences) {
  Rng rng(5);
  Conv2D layer({.filters = 2,
                .kernel_size = {3, 3},
                .strides = {2, 2},
                .padding = Padding::same,
                .activation = Activation::tanh},
               2, rng);
  StepContext ctx;
  testing::check_gradients([&](auto& v) { return sum(square(layer(v[0], ctx))); },
                           {testing::normal({2, 2, 6, 5}, rng)});
}

TEST(Conv2D, RejectsBadInputNamingTheLayerAndShapes) {
  Rng rng(0);
  Conv2D layer({.filters = 4, .kernel_size = {5, 5}, .name = "conv2d_1"}, 3, rng);
  StepContext ctx;
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({2, 4, 8, 8})), ctx);
              }),
              HasSubstr("conv2d_1: expected x [N,3,H,W], got [2,4,8,8]"));
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({2, 3, 8})), ctx);
              }),
              HasSubstr("conv2d_1: expected x [N,3,H,W], got [2,3,8]"));
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({2, 3, 4, 8})), ctx);
              }),
              HasSubstr("conv2d_1: kernel 5x5 larger than the padded input 4x8 (x [2,3,4,8], "
                        "padding valid)"));
  EXPECT_THAT(error_of([&] {
                Conv2D({.filters = 0, .kernel_size = {3, 3}}, 3, rng);
              }),
              HasSubstr("conv2d: expected filters >= 1, got 0"));
  EXPECT_THAT(error_of([&] {
                Conv2D({.filters = 2, .kernel_size = {3, -1}}, 3, rng);
              }),
              HasSubstr("conv2d: expected kernel_size >= 1, got 3x-1"));
  EXPECT_THAT(error_of([&] {
                Conv2D({.filters = 2, .kernel_size = {3, 3}, .strides = {0, 1}}, 3, rng);
              }),
              HasSubstr("conv2d: expected strides >= 1, got 0x1"));
  EXPECT_THAT(error_of([&] {
                Conv2D({.filters = 2, .kernel_size = {3, 3}}, 0, rng);
              }),
              HasSubstr("conv2d: expected in_channels >= 1, got 0"));
}

}  // namespace
}  // namespace occam::nn
