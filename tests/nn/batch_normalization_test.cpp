#include "occam/nn/batch_normalization.h"

#include "occam/autograd/ops.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

const Tol kTorchTol{1e-5, 1e-4};

// A torch-convention layer with the fixture's gamma, beta and running statistics.
std::unique_ptr<BatchNormalization> layer_from_fixture(const Fixture& ref) {
  const Tensor gamma = ref("gamma");
  auto layer = std::make_unique<BatchNormalization>(
      BatchNormOptions{.momentum = float(ref.param("momentum")),
                       .epsilon = float(ref.param("eps")),
                       .name = "batch_normalization_1"},
      gamma.dim(0));
  layer->gamma().data().copy_from(gamma);
  layer->beta().data().copy_from(ref("beta"));
  layer->moving_mean().value.copy_from(ref("running_mean"));
  layer->moving_variance().value.copy_from(ref("running_var"));
  return layer;
}

TEST(BatchNormalization, TrainingMatchesTorchIncludingRunningStatistics) {
  for (const char* name : {"batchnorm2d_train", "batchnorm1d_train"}) {
    SCOPED_TRACE(name);
    const auto ref = load_fixture(name);
    auto layer = layer_from_fixture(ref);
    Rng rng(0);
    StepContext ctx{Mode::train, &rng};
    Var x = leaf(ref("x"));
    Var y = (*layer)(x, ctx);
    EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
    // torch: new = 0.9·old + 0.1·batch, the variance unbiased (×M/(M−1)).
    EXPECT_TENSORS_NEAR(layer->moving_mean().value, ref("running_mean_new"), kTorchTol);
    EXPECT_TENSORS_NEAR(layer->moving_variance().value, ref("running_var_new"), kTorchTol);
    backward(y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
    EXPECT_TENSORS_NEAR(layer->gamma().grad(), ref("d_gamma"), kTorchTol);
    EXPECT_TENSORS_NEAR(layer->beta().grad(), ref("d_beta"), kTorchTol);
  }
}

TEST(BatchNormalization, EvalMatchesTorchAndLeavesStatisticsAlone) {
  for (const char* name : {"batchnorm2d_eval", "batchnorm1d_eval"}) {
    SCOPED_TRACE(name);
    const auto ref = load_fixture(name);
    auto layer = layer_from_fixture(ref);
    StepContext ctx{Mode::eval};
    Var x = leaf(ref("x"));
    Var y = (*layer)(x, ctx);
    EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
    EXPECT_TENSORS_NEAR(layer->moving_mean().value, ref("running_mean"), (Tol{0, 0}));
    EXPECT_TENSORS_NEAR(layer->moving_variance().value, ref("running_var"), (Tol{0, 0}));
    backward(y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
    EXPECT_TENSORS_NEAR(layer->gamma().grad(), ref("d_gamma"), kTorchTol);
    EXPECT_TENSORS_NEAR(layer->beta().grad(), ref("d_beta"), kTorchTol);
  }
}

TEST(BatchNormalization, KerasConventionUpdatesWithTheBiasedVariance) {
  // x [4, 1] = 1, 2, 3, 6: mean 3, biased var 3.5 (unbiased would be 14/3).
  BatchNormalization layer(BatchNormOptions::keras(), 1);
  EXPECT_FLOAT_EQ(layer.options().momentum, 0.99f);
  EXPECT_FLOAT_EQ(layer.options().epsilon, 1e-3f);
  StepContext ctx{Mode::train};
  layer(constant(Tensor::from({4, 1}, {1, 2, 3, 6})), ctx);
  EXPECT_NEAR(layer.moving_mean().value[0], 0.99 * 0 + 0.01 * 3, 1e-7);
  EXPECT_NEAR(layer.moving_variance().value[0], 0.99 * 1 + 0.01 * 3.5, 1e-7);
  // The same batch under torch's convention: 0.9·1 + 0.1·(14/3).
  BatchNormalization torch(BatchNormOptions::torch(), 1);
  torch(constant(Tensor::from({4, 1}, {1, 2, 3, 6})), ctx);
  EXPECT_NEAR(torch.moving_mean().value[0], 0.1 * 3, 1e-7);
  EXPECT_NEAR(torch.moving_variance().value[0], 0.9 + 0.1 * 14.0 / 3, 1e-6);
}

TEST(BatchNormalization, NamesParametersAndBuffers) {
  BatchNormalization layer({.name = "batch_normalization_2"}, 3);
  EXPECT_EQ(layer.type_name(), "batch_normalization");
  ASSERT_EQ(layer.parameters().size(), 2u);
  EXPECT_EQ(layer.parameters()[0]->name, "batch_normalization_2/gamma");
  EXPECT_EQ(layer.parameters()[1]->name, "batch_normalization_2/beta");
  ASSERT_EQ(layer.buffers().size(), 2u);
  EXPECT_EQ(layer.buffers()[0]->name, "batch_normalization_2/moving_mean");
  EXPECT_EQ(layer.buffers()[1]->name, "batch_normalization_2/moving_variance");
  EXPECT_TENSORS_NEAR(layer.gamma().data(), Tensor::ones({3}), (Tol{0, 0}));
  EXPECT_TENSORS_NEAR(layer.moving_variance().value, Tensor::ones({3}), (Tol{0, 0}));
  layer.rename("bn");
  EXPECT_EQ(layer.buffers()[1]->name, "bn/moving_variance");
}

TEST(BatchNormalization, GradientsMatchFiniteDifferencesInBothModes) {
  Rng rng(3);
  BatchNormalization layer({}, 2);
  layer.gamma().data().copy_from(Tensor::from({2}, {0.7f, 1.3f}));
  const Tensor x = testing::normal({3, 2, 2, 3}, rng, 2.f), r = testing::normal({3, 2, 2, 3}, rng);
  StepContext eval{Mode::eval};
  testing::check_gradients([&](auto& v) { return sum(layer(v[0], eval) * constant(r)); }, {x});
  // Train mode updates the moving statistics at every call; y does not depend on them.
  StepContext train{Mode::train};
  testing::check_gradients([&](auto& v) { return sum(layer(v[0], train) * constant(r)); }, {x});
}

TEST(BatchNormalization, RejectsBadInputNamingTheLayerAndShapes) {
  BatchNormalization layer({.name = "batch_normalization_1"}, 3);
  StepContext train{Mode::train};
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({2, 4, 5, 5})), train);
              }),
              HasSubstr("batch_normalization_1: expected x [N,3] or [N,3,H,W], got [2,4,5,5]"));
  EXPECT_THAT(error_of([&] {
                layer(constant(Tensor::zeros({2, 3, 5})), train);
              }),
              HasSubstr("batch_normalization_1: expected x [N,3] or [N,3,H,W], got [2,3,5]"));
  EXPECT_THAT(
      error_of([&] {
        layer(constant(Tensor::zeros({1, 3})), train);
      }),
      HasSubstr(
          "batch_normalization_1: training needs more than one value per channel, got x [1,3]"));
  EXPECT_THAT(error_of([] { BatchNormalization({.momentum = 1.5f}, 3); }),
              HasSubstr("batch_normalization: expected momentum in [0, 1], got 1.5"));
  EXPECT_THAT(error_of([] { BatchNormalization({.epsilon = 0.f}, 3); }),
              HasSubstr("batch_normalization: expected epsilon > 0, got 0"));
  EXPECT_THAT(error_of([] { BatchNormalization({}, 0); }),
              HasSubstr("batch_normalization: expected channels >= 1, got 0"));
}

}  // namespace
}  // namespace occam::nn
