#include "occam/nn/activation.h"

#include "occam/autograd/ops.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

TEST(Activation, NamesRoundTripThroughTheTable) {
  for (Activation a : {Activation::linear, Activation::relu, Activation::relu6,
                       Activation::leaky_relu, Activation::sigmoid, Activation::tanh,
                       Activation::gelu, Activation::softmax, Activation::log_softmax})
    EXPECT_EQ(activation_from_string(to_string(a)), a) << to_string(a);
  EXPECT_EQ(to_string(Activation::log_softmax), "log_softmax");
  EXPECT_EQ(activation_from_string("relu6"), Activation::relu6);
  EXPECT_EQ(activation_from_string("Relu"), std::nullopt);  // spelled exactly as in the config
  EXPECT_EQ(activation_from_string("swish"), std::nullopt);
}

TEST(Activation, AppliesTheOpWithKerasDefaults) {
  Var x = constant(Tensor::from({1, 4}, {-2.f, -0.5f, 0.5f, 2.f}));
  EXPECT_TRUE(apply_activation(x, Activation::linear).value().same_storage(x.value()));
  // keras.activations.leaky_relu: slope 0.2
  EXPECT_TENSORS_NEAR(apply_activation(x, Activation::leaky_relu).value(),
                      Tensor::from({1, 4}, {-0.4f, -0.1f, 0.5f, 2.f}), Tol{});
  EXPECT_TENSORS_NEAR(apply_activation(x, Activation::leaky_relu, 0.01f).value(),
                      Tensor::from({1, 4}, {-0.02f, -0.005f, 0.5f, 2.f}), Tol{});
  EXPECT_TENSORS_NEAR(apply_activation(x, Activation::relu).value(),
                      Tensor::from({1, 4}, {0, 0, 0.5f, 2.f}), Tol{});
  EXPECT_TENSORS_NEAR(
      apply_activation(constant(Tensor::from({4}, {-1.f, 0.5f, 6.f, 8.f})), Activation::relu6)
          .value(),
      Tensor::from({4}, {0, 0.5f, 6.f, 6.f}), Tol{});
  EXPECT_TENSORS_NEAR(apply_activation(x, Activation::sigmoid).value(), sigmoid(x).value(), Tol{});
  EXPECT_TENSORS_NEAR(apply_activation(x, Activation::tanh).value(), tanh(x).value(), Tol{});
  EXPECT_TENSORS_NEAR(apply_activation(x, Activation::gelu).value(), gelu(x).value(), Tol{});
}

TEST(ActivationLayer, SoftmaxAndLogSoftmaxMatchTorch) {
  StepContext ctx;
  for (Activation a : {Activation::softmax, Activation::log_softmax}) {
    SCOPED_TRACE(to_string(a));
    const auto ref = load_fixture(std::string(to_string(a)));
    ActivationLayer layer({.activation = a});
    Var x = leaf(ref("x"));
    Var y = layer(x, ctx);
    EXPECT_TENSORS_NEAR(y.value(), ref("y"), (Tol{1e-5, 1e-4}));
    backward(y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), (Tol{1e-5, 1e-4}));
  }
}

TEST(ActivationLayer, LeakyReluUsesItsSlopeAndGradientsMatchFiniteDifferences) {
  StepContext ctx;
  ActivationLayer layer({.activation = Activation::leaky_relu, .negative_slope = 0.3f});
  EXPECT_EQ(layer.type_name(), "activation");
  EXPECT_FLOAT_EQ(layer(constant(Tensor::from({1}, {-1.f})), ctx).item(), -0.3f);
  Rng rng(1);
  Tensor x = testing::uniform({3, 4}, rng, 0.1f, 2.f);  // away from the kink at 0
  for (int64_t i = 0; i < x.numel(); i += 2) x[i] = -x[i];
  for (Activation a : {Activation::leaky_relu, Activation::gelu, Activation::softmax}) {
    ActivationLayer l({.activation = a});
    testing::check_gradients([&](auto& v) { return sum(square(l(v[0], ctx))); }, {x});
  }
}

TEST(ActivationLayer, SoftmaxRejectsAScalarNamingTheLayer) {
  StepContext ctx;
  ActivationLayer layer({.activation = Activation::softmax, .name = "activation_3"});
  EXPECT_THAT(error_of([&] { layer(constant(Tensor::scalar(1.f)), ctx); }),
              HasSubstr("activation_3: softmax expected x [N,C] with C >= 1, got []"));
}

}  // namespace
}  // namespace occam::nn
