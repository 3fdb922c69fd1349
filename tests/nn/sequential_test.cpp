#include "occam/nn/sequential.h"

#include "occam/autograd/nn_ops.h"
#include "occam/autograd/ops.h"
#include "occam/nn/activation.h"
#include "occam/nn/batch_normalization.h"
#include "occam/nn/conv2d.h"
#include "occam/nn/dense.h"
#include "occam/nn/dropout.h"
#include "occam/nn/flatten.h"
#include "occam/nn/pooling.h"
#include "occam/regularize/regularizer.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using ::testing::ElementsAre;
using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

std::vector<std::string> names_of(const std::vector<Parameter*>& params) {
  std::vector<std::string> names;
  for (const Parameter* p : params) names.push_back(p->name);
  return names;
}

TEST(Sequential, NamesLayersKerasStyleAndParametersAfterThem) {
  Rng rng(1);
  Sequential model;
  model.add(std::make_unique<Conv2D>(Conv2DOptions{.filters = 4, .kernel_size = {3, 3}}, 1, rng));
  model.add(std::make_unique<BatchNormalization>(BatchNormOptions{}, 4));
  model.add(std::make_unique<MaxPool2D>());
  model.add(std::make_unique<AvgPool2D>(Pool2DOptions{.pool_size = {1, 1}}));
  model.add(std::make_unique<SpatialDropout2D>(DropoutOptions{.rate = 0.1f}));
  model.add(std::make_unique<GlobalAvgPool2D>());
  model.add(std::make_unique<Dense>(DenseOptions{.units = 8}, 4, rng));
  model.add(std::make_unique<GaussianNoise>(GaussianNoiseOptions{.stddev = 0.1f}));
  model.add(std::make_unique<GaussianDropout>(DropoutOptions{.rate = 0.1f}));
  model.add(std::make_unique<ActivationLayer>(ActivationOptions{.activation = Activation::relu}));
  model.add(std::make_unique<Dropout>(DropoutOptions{.rate = 0.5f}));
  model.add(std::make_unique<Dense>(DenseOptions{.units = 3}, 8, rng));
  model.add(std::make_unique<Flatten>());
  std::vector<std::string> layer_names;
  for (const auto& layer : model.layers()) layer_names.push_back(layer->name());
  EXPECT_THAT(layer_names, ElementsAre("conv2d_1", "batch_normalization_1", "max_pooling2d_1",
                                       "average_pooling2d_1", "spatial_dropout2d_1",
                                       "global_average_pooling2d_1", "dense_1", "gaussian_noise_1",
                                       "gaussian_dropout_1", "activation_1", "dropout_1", "dense_2",
                                       "flatten_1"));
  EXPECT_THAT(names_of(model.parameters()),
              ElementsAre("conv2d_1/kernel", "conv2d_1/bias", "batch_normalization_1/gamma",
                          "batch_normalization_1/beta", "dense_1/kernel", "dense_1/bias",
                          "dense_2/kernel", "dense_2/bias"));
  ASSERT_EQ(model.buffers().size(), 2u);
  EXPECT_EQ(model.buffers()[0]->name, "batch_normalization_1/moving_mean");
  EXPECT_EQ(model.find_parameter("dense_2/kernel"),
            &static_cast<Dense*>(model.find_layer("dense_2"))->kernel());
  EXPECT_EQ(model.find_parameter("dense_3/kernel"), nullptr);
  EXPECT_EQ(model.output_shape({5, 1, 10, 10}), (Shape{5, 3}));
  // The whole model runs in both modes.
  StepContext train{Mode::train, &rng};
  EXPECT_EQ(model(constant(testing::normal({5, 1, 10, 10}, rng)), train).shape(), (Shape{5, 3}));
}

TEST(Sequential, ExplicitNamesAreKeptAndAutomaticNamesSkipThem) {
  Rng rng(2);
  Sequential model;
  model.add(std::make_unique<Dense>(DenseOptions{.units = 3, .name = "dense_1"}, 2, rng));
  model.add(std::make_unique<Dense>(DenseOptions{.units = 3, .name = "head"}, 3, rng));
  model.add(std::make_unique<Dense>(DenseOptions{.units = 3}, 3, rng));
  EXPECT_EQ(model.layers()[2]->name(), "dense_2");
  EXPECT_THAT(names_of(model.parameters()),
              ElementsAre("dense_1/kernel", "dense_1/bias", "head/kernel", "head/bias",
                          "dense_2/kernel", "dense_2/bias"));
}

TEST(Sequential, DuplicateNamesThrow) {
  Rng rng(3);
  Sequential model;
  model.add(std::make_unique<Dense>(DenseOptions{.units = 3}, 2, rng));  // dense_1
  EXPECT_THAT(
      error_of([&] {
        model.add(std::make_unique<Dense>(DenseOptions{.units = 3, .name = "dense_1"}, 3, rng));
      }),
      HasSubstr("Sequential::add: a layer named 'dense_1' is already in the model"));
  EXPECT_EQ(model.layers().size(), 1u);
  EXPECT_THAT(error_of([&] { model.add(nullptr); }),
              HasSubstr("Sequential::add: got a null module"));
}

TEST(Sequential, ForwardChainsLayersAndCollectsActivityTerms) {
  Rng rng(4);
  Sequential model;
  Dense& first = static_cast<Dense&>(model.add(
      std::make_unique<Dense>(DenseOptions{.units = 4, .activation = Activation::relu}, 3, rng)));
  Dense& second =
      static_cast<Dense&>(model.add(std::make_unique<Dense>(DenseOptions{.units = 2}, 4, rng)));
  first.activity_regularizer = regularize::l2(0.01f);
  const Tensor x = testing::normal({5, 3}, rng);
  std::vector<Term> terms;
  StepContext ctx{Mode::eval, nullptr, &terms};
  Var y = model(constant(x), ctx);
  Var h = relu(dense(constant(x), first.kernel().value, first.bias()->value));
  Var want = dense(h, second.kernel().value, second.bias()->value);
  EXPECT_TENSORS_NEAR(y.value(), want.value(), (Tol{0, 0}));
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].name, "dense_1/activity/l2");
  EXPECT_NEAR(terms[0].value.item(), 0.01 * sum(square(h)).item() / 5, 1e-6);
}

TEST(Sequential, OutputShapeNamesTheLayerThatRejectsTheInput) {
  Rng rng(5);
  Sequential model;
  model.add(std::make_unique<Conv2D>(Conv2DOptions{.filters = 2, .kernel_size = {3, 3}}, 1, rng));
  model.add(std::make_unique<Flatten>());
  model.add(std::make_unique<Dense>(DenseOptions{.units = 3}, 8, rng));
  EXPECT_EQ(model.output_shape({7, 1, 4, 4}), (Shape{7, 3}));  // conv → [7,2,2,2] → [7,8]
  EXPECT_THAT(error_of([&] {
                model.output_shape({7, 1, 4, 3});
              }),
              HasSubstr("dense_1: expected x [N,8], got [7,4]"));
  EXPECT_THAT(error_of([&] {
                model.output_shape({7, 2, 4, 4});
              }),
              HasSubstr("conv2d_1: expected x [N,1,H,W], got [7,2,4,4]"));
  StepContext ctx;
  EXPECT_THAT(error_of([&] {
                model(constant(Tensor::zeros({7, 1, 2, 2})), ctx);
              }),
              HasSubstr("conv2d_1: kernel 3x3 larger than the padded input 2x2"));
}

// The end-to-end convnet fixture, through the layers: conv_1 (relu, activity l2) → pool_1 →
// flatten → dense_1, with torch's initial parameters. The objective is the softmax
// cross-entropy (written here from log_softmax) plus the four named regularization terms.
TEST(Sequential, ConvnetMatchesTheEndToEndFixtureAtItsInitialParameters) {
  const auto ref = load_fixture("convnet_1_2_3");
  Rng rng(0);
  Sequential model;
  auto& conv = static_cast<Conv2D&>(model.add(std::make_unique<Conv2D>(
      Conv2DOptions{
          .filters = 2, .kernel_size = {3, 3}, .activation = Activation::relu, .name = "conv_1"},
      1, rng)));
  model.add(std::make_unique<MaxPool2D>(Pool2DOptions{.name = "pool_1"}));
  model.add(std::make_unique<Flatten>());
  auto& head =
      static_cast<Dense&>(model.add(std::make_unique<Dense>(DenseOptions{.units = 3}, 8, rng)));
  EXPECT_EQ(head.name(), "dense_1");
  for (const char* name : {"conv_1/kernel", "conv_1/bias", "dense_1/kernel", "dense_1/bias"})
    model.find_parameter(name)->data().copy_from(ref(name));
  conv.kernel().regularizer = regularize::l2(1e-3f);
  conv.bias()->regularizer = regularize::l1(1e-4f);
  conv.activity_regularizer = regularize::l2(1e-2f);
  head.kernel().regularizer = regularize::l2(1e-3f);

  std::vector<Term> terms;
  StepContext ctx{Mode::train, &rng, &terms};
  Var logits = model(constant(ref("x")), ctx);
  EXPECT_TENSORS_NEAR(logits.value(), ref("logits"), (Tol{1e-5, 1e-4}));

  Tensor onehot = Tensor::zeros({2, 3});
  const auto labels = ref.labels("labels");
  for (int64_t n = 0; n < 2; ++n) onehot[n * 3 + labels[n]] = 1.f;
  Var data_loss = -sum(log_softmax(logits) * constant(onehot)) / 2.f;
  EXPECT_NEAR(data_loss.item(), ref("terms/data_loss").item(), 1e-5);
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_NEAR(terms[0].value.item(), ref("terms/conv_1/activity_l2").item(), 1e-6);
  Var total = data_loss + terms[0].value;
  for (Parameter* p : model.parameters())
    if (p->regularizer) total = total + p->regularizer->penalty(p->value);
  EXPECT_NEAR(total.item(), ref("terms/total_loss").item(), 1e-5);
  backward(total);
  for (const char* name : {"conv_1/kernel", "conv_1/bias", "dense_1/kernel", "dense_1/bias"}) {
    SCOPED_TRACE(name);
    EXPECT_TENSORS_NEAR(model.find_parameter(name)->grad(), ref(std::string("d_") + name),
                        (Tol{1e-5, 1e-4}));
  }
}

}  // namespace
}  // namespace occam::nn
