// Regularizers, constraints, the activity regularizer and trainable are attached where a layer is
// built, from its options (Keras' constructor arguments), each parameter getting its own copy.
#include "occam/nn/batch_normalization.h"
#include "occam/nn/conv2d.h"
#include "occam/nn/dense.h"
#include "occam/nn/sequential.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

TEST(Attachments, OptionsAttachToTheParametersOfTheirRoleWhenTheLayerIsBuilt) {
  Rng rng(1);
  DenseOptions o{.units = 3};
  const std::shared_ptr<const regularize::Regularizer> l2 = regularize::l2(0.5f);
  o.attach.regularizers = {{"kernel", l2}, {"bias", regularize::l1(0.25f)}};
  o.attach.constraints = {{"kernel", regularize::max_norm(2.f)}};
  o.attach.activity = regularize::l2(0.01f);
  Sequential model;
  auto& dense = static_cast<Dense&>(model.add(std::make_unique<Dense>(o, 2, rng)));
  ASSERT_NE(dense.kernel().regularizer, nullptr);
  EXPECT_NE(dense.kernel().regularizer.get(), l2.get());  // a copy of its own
  EXPECT_EQ(dense.kernel().regularizer->formula(), "0.5·Σw² (keras)");
  EXPECT_EQ(dense.bias()->regularizer->formula(), "0.25·Σ|w| (keras)");
  ASSERT_NE(dense.kernel().constraint, nullptr);
  EXPECT_EQ(dense.bias()->constraint, nullptr);
  ASSERT_NE(dense.activity_regularizer, nullptr);
  // The penalty a step sees: 0.5·Σw² of the kernel as built.
  const Tensor& w = dense.kernel().data();
  double sq = 0;
  for (int64_t i = 0; i < w.numel(); ++i) sq += double(w[i]) * w[i];
  EXPECT_NEAR(dense.kernel().regularizer->penalty(dense.kernel().value).item(), 0.5 * sq, 1e-6);
  EXPECT_EQ(dense.kernel().name, "dense_1/kernel");  // named after the attachments, unchanged
}

TEST(Attachments, TrainableFalseFreezesEveryParameter) {
  Rng rng(1);
  BatchNormOptions o;
  o.attach.trainable = false;
  o.attach.regularizers = {{"gamma", regularize::l2(1.f)}};
  BatchNormalization bn(o, 4);
  for (Parameter* p : bn.parameters()) EXPECT_FALSE(p->trainable) << p->name;
  EXPECT_NE(bn.parameters()[0]->regularizer, nullptr);
}

TEST(Attachments, AnUnknownRoleNamesTheLayerAndItsParameters) {
  Rng rng(1);
  Conv2DOptions o{.filters = 2, .kernel_size = {3, 3}, .use_bias = false};
  o.attach.regularizers = {{"bias", regularize::l2(1.f)}};
  EXPECT_THAT(error_of([&] { Conv2D(o, 1, rng); }),
              HasSubstr("conv2d has no parameter 'bias' (its parameters: kernel)"));
}

}  // namespace
}  // namespace occam::nn
