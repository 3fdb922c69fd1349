// DepthwiseConv2D: Keras's channel order and fans, the grouped convolution against the reference
// loop, finite differences, the kernel's regularizer and constraint, and errors.
#include "occam/nn/depthwise_conv2d.h"

#include <cmath>

#include "occam/autograd/ops.h"
#include "occam/regularize/constraint.h"
#include "occam/regularize/regularizer.h"
#include "occam/tensor/conv.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::Tol;

float max_abs(const Tensor& t) {
  float m = 0;
  for (float v : t.span()) m = std::max(m, std::fabs(v));
  return m;
}

TEST(DepthwiseConv2D, NamesItsParametersAndUsesTorchsGroupedLayout) {
  Rng rng(1);
  DepthwiseConv2D layer({.kernel_size = {3, 2}, .depth_multiplier = 2, .name = "dw_1"}, 5, rng);
  EXPECT_EQ(layer.type_name(), "depthwise_conv2d");
  EXPECT_EQ(layer.depthwise_kernel().name, "dw_1/depthwise_kernel");
  EXPECT_EQ(layer.bias()->name, "dw_1/bias");
  EXPECT_EQ(layer.depthwise_kernel().data().shape(), (Shape{10, 1, 3, 2}));
  EXPECT_EQ(layer.bias()->data().shape(), (Shape{10}));
  EXPECT_EQ(layer.depthwise_kernel().layout, regularize::Layout::conv_kernel);
  EXPECT_EQ(layer.out_channels(), 10);
  EXPECT_EQ(layer.output_shape({4, 5, 7, 6}), (Shape{4, 10, 5, 5}));
  layer.rename("depthwise_conv2d_3");
  EXPECT_EQ(layer.depthwise_kernel().name, "depthwise_conv2d_3/depthwise_kernel");
  DepthwiseConv2D no_bias({.kernel_size = {3, 3}, .use_bias = false}, 2, rng);
  EXPECT_EQ(no_bias.bias(), nullptr);
  EXPECT_EQ(no_bias.parameters().size(), 1u);
}

// Keras draws the kernel with the fans of its [KH, KW, C, M] shape: fan_in = C·KH·KW,
// fan_out = M·KH·KW. Occam's [C·M, 1, KH, KW] read as OIHW would give fan_in = KH·KW.
TEST(DepthwiseConv2D, InitializesWithKerasFans) {
  Rng rng(2);
  // he_uniform: limit √(6/fan_in) = √(6/72) = 0.2887 for C = 8, 3x3 (OIHW fans: √(6/9) = 0.816).
  DepthwiseConv2D he({.kernel_size = {3, 3}, .depthwise_initializer = Initializer::he_uniform}, 8,
                     rng);
  EXPECT_LE(max_abs(he.depthwise_kernel().data()), std::sqrt(6.f / 72));
  EXPECT_GT(max_abs(he.depthwise_kernel().data()), 0.25f);  // 72 draws reach near the limit
  // glorot_uniform, C = 4, M = 2: √(6/(36 + 18)) = 0.333 (OIHW fans: √(6/(9 + 72)) = 0.272).
  DepthwiseConv2D glorot({.kernel_size = {3, 3}, .depth_multiplier = 2}, 4, rng);
  EXPECT_LE(max_abs(glorot.depthwise_kernel().data()), std::sqrt(6.f / 54));
  EXPECT_GT(max_abs(glorot.depthwise_kernel().data()), 0.28f);
  EXPECT_EQ(max_abs(glorot.bias()->data()), 0.f);  // zeros
}

// Keras's order: output channel c·M + m is input channel c convolved with filter m, i.e. Keras
// kernel [p, q, c, m] = W[c·M + m, 0, p, q]. With 1x1 filters W = {1, 10, 100, 1000}, C = 2,
// M = 2, and x = 1 on channel 0, 2 on channel 1: y = {1·1, 10·1, 100·2, 1000·2} + bias.
TEST(DepthwiseConv2D, OutputChannelCTimesMPlusMReadsInputChannelC) {
  Rng rng(3);
  DepthwiseConv2D layer({.kernel_size = {1, 1}, .depth_multiplier = 2}, 2, rng);
  layer.depthwise_kernel().data().copy_from(Tensor::from({4, 1, 1, 1}, {1, 10, 100, 1000}));
  layer.bias()->data().copy_from(Tensor::from({4}, {0.5f, 0.5f, 0.5f, 0.5f}));
  StepContext ctx;
  Var y = layer(constant(Tensor::from({1, 2, 1, 1}, {1, 2})), ctx);
  EXPECT_TENSORS_NEAR(y.value(), Tensor::from({1, 4, 1, 1}, {1.5f, 10.5f, 200.5f, 2000.5f}), Tol{});
}

// Keras 'same' at stride 2 on an even input pads only at the bottom/right; the layer's output
// and its gradients are those of the grouped reference loops with that padding.
TEST(DepthwiseConv2D, SamePaddingStride2MatchesTheReferenceLoops) {
  Rng rng(4);
  const int64_t C = 3, M = 2;
  DepthwiseConv2D layer({.kernel_size = {3, 3},
                         .strides = {2, 2},
                         .padding = Padding::same,
                         .depth_multiplier = M,
                         .bias_initializer = Initializer::ones},
                        C, rng);
  EXPECT_EQ(layer.padding_for(6, 8), (Padding2d{0, 1, 0, 1}));
  const Tensor x = testing::normal({2, C, 6, 8}, rng);
  const kernels::Conv2dShape s{.N = 2,
                               .C = C,
                               .H = 6,
                               .W = 8,
                               .O = C * M,
                               .KH = 3,
                               .KW = 3,
                               .stride_h = 2,
                               .stride_w = 2,
                               .pad_top = 0,
                               .pad_bottom = 1,
                               .pad_left = 0,
                               .pad_right = 1,
                               .groups = C};
  Tensor y_ref = Tensor::zeros({2, C * M, 3, 4});
  kernels::reference::conv2d_forward(s, x.data(), layer.depthwise_kernel().data().data(),
                                     layer.bias()->data().data(), y_ref.data());
  StepContext ctx;
  Var xv = leaf(x.clone());
  Var y = layer(xv, ctx);
  EXPECT_EQ(layer.output_shape(x.shape()), y.shape());
  EXPECT_TENSORS_NEAR(y.value(), y_ref, (Tol{1e-5, 1e-5}));
  const Tensor dy = testing::normal(y.shape(), rng);
  backward(y, dy);
  Tensor dx_ref = Tensor::zeros(x.shape()), dw_ref = Tensor::zeros({C * M, 1, 3, 3});
  Tensor db_ref = Tensor::zeros({C * M});
  kernels::reference::conv2d_backward_data(s, dy.data(), layer.depthwise_kernel().data().data(),
                                           dx_ref.data());
  kernels::reference::conv2d_backward_weights(s, dy.data(), x.data(), dw_ref.data(), db_ref.data());
  EXPECT_TENSORS_NEAR(xv.grad(), dx_ref, (Tol{1e-5, 1e-5}));
  EXPECT_TENSORS_NEAR(layer.depthwise_kernel().grad(), dw_ref, (Tol{1e-5, 1e-5}));
  EXPECT_TENSORS_NEAR(layer.bias()->grad(), db_ref, (Tol{1e-5, 1e-5}));
}

TEST(DepthwiseConv2D, GradientsMatchFiniteDifferences) {
  Rng rng(5);
  DepthwiseConv2D layer({.kernel_size = {3, 3},
                         .strides = {2, 2},
                         .padding = Padding::same,
                         .depth_multiplier = 2,
                         .activation = Activation::tanh},
                        2, rng);
  StepContext ctx;
  testing::check_gradients([&](auto& v) { return sum(square(layer(v[0], ctx))); },
                           {testing::normal({2, 2, 6, 5}, rng)});
  // With respect to the kernel and bias too (the layer's own leaves, read through the check's).
  Tensor x = testing::normal({2, 2, 5, 5}, rng);
  testing::check_gradients(
      [&](auto& v) {
        return sum(square(
            tanh(conv2d(constant(x), v[0], v[1], {2, 2}, layer.padding_for(5, 5), /*groups=*/2))));
      },
      {layer.depthwise_kernel().data().clone(), layer.bias()->data().clone()});
}

TEST(DepthwiseConv2D, Relu6ClipsAtSix) {
  Rng rng(6);
  DepthwiseConv2D layer({.kernel_size = {1, 1}, .activation = Activation::relu6}, 1, rng);
  layer.depthwise_kernel().data().fill(4.f);
  StepContext ctx;
  Var y = layer(constant(Tensor::from({1, 1, 1, 4}, {-1.f, 0.5f, 1.f, 2.f})), ctx);
  EXPECT_TENSORS_NEAR(y.value(), Tensor::from({1, 1, 1, 4}, {0.f, 2.f, 4.f, 6.f}), Tol{});
}

// A regularizer on the depthwise kernel penalizes it like any kernel: λ·Σw² over its C·M·KH·KW
// values, gradient 2λw added to the data gradient.
TEST(DepthwiseConv2D, KernelRegularizerPenalizesEveryValue) {
  Rng rng(7);
  DepthwiseConv2D layer({.kernel_size = {2, 2}, .depth_multiplier = 2, .use_bias = false}, 2, rng);
  Parameter& k = layer.depthwise_kernel();
  k.data().copy_from(Tensor::from({4, 1, 2, 2}, {1, 2, 0, 0, 0, 0, 0, 3, -1, 0, 0, 0, 0, 0, 0, 1}));
  k.regularizer = regularize::l2(0.1f);
  Var penalty = k.regularizer->penalty(k.value);
  EXPECT_FLOAT_EQ(penalty.item(), 0.1f * (1 + 4 + 9 + 1 + 1));  // Σw² = 16
  backward(penalty);
  EXPECT_TENSORS_NEAR(k.grad(),
                      Tensor::from({4, 1, 2, 2}, {0.2f, 0.4f, 0, 0, 0, 0, 0, 0.6f,  //
                                                  -0.2f, 0, 0, 0, 0, 0, 0, 0.2f}),
                      Tol{});
}

// A constraint's unit is one output channel's KH×KW filter (Keras axis=[0, 1] on [KH, KW, C, M]):
// max_norm(1) rescales filter 0 (norm 5) to norm 1 and leaves filters 1-3 (norms 0.5, 0.2, 0.5)
// alone; over the whole [4, 4] tensor the norm would be 5.06 and every value would shrink.
TEST(DepthwiseConv2D, ConstraintUnitIsOneOutputChannelsFilter) {
  Rng rng(8);
  DepthwiseConv2D layer({.kernel_size = {2, 2}, .depth_multiplier = 2}, 2, rng);
  Parameter& k = layer.depthwise_kernel();
  k.data().copy_from(Tensor::from({4, 1, 2, 2}, {3, 4, 0, 0, 0.3f, 0, 0, 0.4f,  //
                                                 0.1f, 0.1f, 0.1f, 0.1f, 0, 0, 0, 0.5f}));
  k.constraint = regularize::max_norm(1.f);
  const float clipped = k.constraint->project(k.data(), k.layout);
  EXPECT_FLOAT_EQ(clipped, 0.25f);  // 1 unit of 4
  // Filters under the limit move only by Keras's ε: w·n/(1e-7 + n).
  EXPECT_TENSORS_NEAR(k.data(),
                      Tensor::from({4, 1, 2, 2}, {0.6f, 0.8f, 0, 0, 0.3f, 0, 0, 0.4f,  //
                                                  0.1f, 0.1f, 0.1f, 0.1f, 0, 0, 0, 0.5f}),
                      (Tol{1e-6, 1e-6}));
  const std::vector<float> norms = regularize::unit_norms(k.data(), k.layout);
  ASSERT_EQ(norms.size(), 4u);
  EXPECT_NEAR(norms[2], 0.2f, 1e-6);
}

TEST(DepthwiseConv2D, RejectsBadInputNamingTheLayerAndShapes) {
  Rng rng(0);
  DepthwiseConv2D layer({.kernel_size = {5, 5}, .name = "depthwise_conv2d_1"}, 3, rng);
  StepContext ctx;
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({2, 4, 8, 8})), ctx);
              }),
              HasSubstr("depthwise_conv2d_1: expected x [N,3,H,W], got [2,4,8,8]"));
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({2, 3, 4, 8})), ctx);
              }),
              HasSubstr("depthwise_conv2d_1: kernel 5x5 larger than the padded input 4x8 (x "
                        "[2,3,4,8], padding valid)"));
  EXPECT_THAT(error_of([&] {
                DepthwiseConv2D({.kernel_size = {3, 3}, .depth_multiplier = 0}, 3, rng);
              }),
              HasSubstr("depthwise_conv2d: expected depth_multiplier >= 1, got 0"));
  EXPECT_THAT(error_of([&] {
                DepthwiseConv2D({.kernel_size = {0, 3}}, 3, rng);
              }),
              HasSubstr("depthwise_conv2d: expected kernel_size >= 1, got 0x3"));
  EXPECT_THAT(error_of([&] {
                DepthwiseConv2D({.kernel_size = {3, 3}, .strides = {1, 0}}, 3, rng);
              }),
              HasSubstr("depthwise_conv2d: expected strides >= 1, got 1x0"));
  EXPECT_THAT(error_of([&] {
                DepthwiseConv2D({.kernel_size = {3, 3}}, 0, rng);
              }),
              HasSubstr("depthwise_conv2d: expected in_channels >= 1, got 0"));
}

}  // namespace
}  // namespace occam::nn
