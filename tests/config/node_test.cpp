#include "occam/config/node.h"

#include "testing/testing.h"

namespace occam::config {
namespace {

using ::testing::HasSubstr;

std::string config_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigNode, ReadsTypedValuesAndNamesFileLineAndKeyPath) {
  auto root =
      ConfigNode::load_string("model:\n  layers:\n    - dense:\n        units: 0\n", "x.yaml");
  auto layer = root.child("model").child("layers").elements()[0].child("dense");
  EXPECT_EQ(config_error([&] { layer.required<int64_t>("units", at_least(1)); }),
            "x.yaml:4:16: model.layers[0].dense.units: expected an integer >= 1, got 0");
}

TEST(ConfigNode, UnknownKeySuggestsTheClosest) {
  auto root = ConfigNode::load_string("units: 3\nkernal_regularizer: l2\n", "c.yaml");
  root.required<int64_t>("units");
  root.optional_child("kernel_regularizer");
  EXPECT_EQ(config_error([&] { root.reject_unread_keys(); }),
            "c.yaml:2:1: kernal_regularizer: unknown key (did you mean kernel_regularizer?)");
}

TEST(ConfigNode, WrongTypesAndMissingKeys) {
  auto root =
      ConfigNode::load_string("lr: fast\nepochs: 2.5\nflag: maybe\nlist: [1, 2]\n", "t.yaml");
  EXPECT_THAT(config_error([&] { root.required<double>("lr"); }),
              HasSubstr("t.yaml:1:5: lr: expected a number, got 'fast'"));
  EXPECT_THAT(config_error([&] { root.required<int64_t>("epochs"); }),
              HasSubstr("epochs: expected an integer, got '2.5'"));
  EXPECT_THAT(config_error([&] { root.required<bool>("flag"); }),
              HasSubstr("flag: expected a boolean"));
  EXPECT_THAT(config_error([&] { root.required<double>("list"); }),
              HasSubstr("list: expected a number, got [1, 2]"));
  EXPECT_THAT(config_error([&] { root.required<double>("momentum"); }),
              HasSubstr("missing required key 'momentum'"));
  EXPECT_DOUBLE_EQ(root.optional<double>("momentum", 0.9), 0.9);
  EXPECT_THAT(config_error([&] { root.child("lr").elements(); }), HasSubstr("lr: expected a list"));
}

TEST(ConfigNode, RangeChecksAndInvalidYaml) {
  auto root = ConfigNode::load_string("rate: 1.5\n", "r.yaml");
  EXPECT_THAT(config_error([&] { root.required<double>("rate", in_range(0, 1)); }),
              HasSubstr("rate: expected a number in [0, 1], got 1.5"));
  EXPECT_THAT(config_error([] { ConfigNode::load_string("a: [1, 2\n", "bad.yaml"); }),
              HasSubstr("bad.yaml:"));
  EXPECT_THAT(config_error([] { ConfigNode::load_string("- 1\n- 2\n", "seq.yaml"); }),
              HasSubstr("expected a mapping"));
  EXPECT_THAT(config_error([] { ConfigNode::load_file("/nonexistent/x.yaml"); }),
              HasSubstr("/nonexistent/x.yaml: cannot open config file"));
}

TEST(DidYouMean, FindsCloseKeysOnly) {
  EXPECT_EQ(did_you_mean("kernal_regularizer", {"kernel_regularizer", "bias_regularizer"}),
            "kernel_regularizer");
  EXPECT_EQ(did_you_mean("unitz", {"units", "activation"}), "units");
  EXPECT_FALSE(did_you_mean("zzzzzz", {"units", "activation"}).has_value());
}

}  // namespace
}  // namespace occam::config

#include "occam/config/build.h"
#include "occam/config/run_config.h"

namespace occam::config {
namespace {

std::string run_config_error(const std::string& layers) {
  const std::string text = "model:\n  input_shape: [1, 8, 8]\n  layers:\n" + layers +
                           "optimizer: {type: sgd, lr: 0.1}\n";
  try {
    auto c = read_run_config(ConfigNode::load_string(text, "m.yaml"));
    Rng rng(0);
    build_model(c.model, c.convention, rng);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(RunConfig, MistakesFoundWhileReadingOrBuildingNameTheKey) {
  EXPECT_THAT(
      run_config_error(
          "    - {type: flatten}\n    - {type: dense, units: 4, kernel_constraint: {max_norm: 3}}\n"),
      HasSubstr(
          "model.layers[1].kernel_constraint.max_norm: expected arguments as a mapping, e.g. {max_value: 3}"));
  EXPECT_EQ(
      run_config_error(
          "    - {type: flatten}\n    - {type: dense, units: 4, kernel_constraint: {unit_norm: }}\n"),
      "");
  EXPECT_THAT(
      run_config_error(
          "    - {type: conv2d, filters: 2, kernel_size: 3, kernel_regularizer: {orthogonal: {factor: 0.1}}}\n"
          "    - {type: flatten}\n    - {type: dense, units: 4}\n"),
      HasSubstr(
          "kernel_regularizer: orthogonal needs a rank-2 tensor, but conv2d_1/kernel is [2,1,3,3]"));
  EXPECT_THAT(
      run_config_error(
          "    - {type: flatten}\n    - {type: dense, units: 4, use_bias: false, bias_regularizer: {l2: 0.1}}\n"),
      HasSubstr("model.layers[1].bias_regularizer: this layer has no bias (use_bias: false)"));
  EXPECT_THAT(run_config_error(
                  "    - {type: flatten}\n    - {type: dense, units: 4, activation: softmax}\n"),
              HasSubstr("model.layers[1]: the last layer must output logits"));
  EXPECT_THAT(run_config_error("    - {type: flatten, name: a/b}\n    - {type: dense, units: 4}\n"),
              HasSubstr("model.layers[0].name: expected a name of letters"));
  EXPECT_THAT(
      run_config_error("    - {type: dense, units: 4}\n"),
      HasSubstr(
          "model.layers[0]: dense expects [N,features], but its input is [1,1,8,8] (add a flatten layer before it)"));
}

}  // namespace
}  // namespace occam::config

namespace occam::config {
namespace {

// A mobile-detector block from YAML: depthwise 3×3 (relu6) then a pointwise conv; Keras' key
// depthwise_regularizer attaches to the parameter depthwise_kernel, which the term is named after.
TEST(RunConfig, DepthwiseConvolutionAndRelu6FromYaml) {
  const auto c = read_run_config(ConfigNode::load_string(R"(
model:
  input_shape: [3, 8, 8]
  layers:
    - {type: depthwise_conv2d, kernel_size: 3, padding: same, depth_multiplier: 2, activation: relu6,
       depthwise_regularizer: {l2: 1.0e-3}, depthwise_constraint: {max_norm: {max_value: 2}}}
    - {type: conv2d, filters: 4, kernel_size: 1}
    - {type: flatten}
    - {type: dense, units: 3}
optimizer: {type: sgd, lr: 0.1}
)",
                                                         "dw.yaml"));
  Rng rng(0);
  auto model = build_model(c.model, c.convention, rng);
  nn::Parameter* k = model->find_parameter("depthwise_conv2d_1/depthwise_kernel");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->data().shape(), (Shape{6, 1, 3, 3}));  // C·M filters of one input channel each
  ASSERT_NE(k->regularizer, nullptr);
  EXPECT_EQ(k->regularizer->formula(), "0.001·Σw² (keras)");
  ASSERT_NE(k->constraint, nullptr);
  EXPECT_EQ(model->output_shape({2, 3, 8, 8}), (Shape{2, 3}));
  // relu6 caps the block's output at 6: inputs of 100 through a kernel of ones give 6 everywhere.
  k->data().fill(1.f);
  nn::StepContext ctx;
  Tensor x = Tensor::empty({1, 3, 8, 8});
  x.fill(100.f);
  const Var y = model->layers()[0]->forward(constant(x), ctx);
  for (int64_t i = 0; i < y.numel(); ++i) ASSERT_EQ(y.value()[i], 6.f) << i;
  EXPECT_THAT(run_config_error(
                  "    - {type: depthwise_conv2d, kernel_size: 3, kernel_regularizer: {l2: 0.1}}\n"
                  "    - {type: flatten}\n    - {type: dense, units: 4}\n"),
              HasSubstr("model.layers[0].kernel_regularizer: unknown key"));
}

}  // namespace
}  // namespace occam::config

namespace occam::config {
namespace {

// label_smoothing lives under task:, and reaches the task's data term (its formula says so);
// the old place is one line naming the new one (line 6 is `training:`; column 40 its value).
TEST(RunConfig, LabelSmoothingIsATaskSettingAndTheOldKeyNamesTheNewPlace) {
  const std::string base =
      "model:\n  input_shape: [4]\n  layers:\n    - {type: dense, units: 3}\n"
      "optimizer: {type: sgd, lr: 0.1}\n";
  const auto c = read_run_config(ConfigNode::load_string(
      base + "task: {type: classification, label_smoothing: 0.25}\n", "t.yaml"));
  EXPECT_EQ(c.task.label_smoothing, 0.25f);
  const auto task = build_task(c.task);
  EXPECT_EQ(task->kind(), "classification");
  ASSERT_EQ(task->data_terms().size(), 1u);
  EXPECT_EQ(task->data_terms()[0].name, "classification_loss");
  EXPECT_THAT(task->data_terms()[0].formula, HasSubstr("label smoothing 0.25"));
  EXPECT_EQ(config_error([&] {
              read_run_config(ConfigNode::load_string(
                  base + "training: {epochs: 2, label_smoothing: 0.1}\n", "old.yaml"));
            }),
            "old.yaml:6:40: training.label_smoothing: moved to the task section: task: {type: "
            "classification, label_smoothing: 0.1}");
  EXPECT_THAT(
      config_error([&] {
        read_run_config(ConfigNode::load_string(base + "task: {type: detection}\n", "d.yaml"));
      }),
      HasSubstr("task.type: expected one of classification, got 'detection'"));
}

}  // namespace
}  // namespace occam::config
