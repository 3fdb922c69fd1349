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
  auto root = ConfigNode::load_string("model:\n  layers:\n    - dense:\n        units: 0\n", "x.yaml");
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
  auto root = ConfigNode::load_string("lr: fast\nepochs: 2.5\nflag: maybe\nlist: [1, 2]\n", "t.yaml");
  EXPECT_THAT(config_error([&] { root.required<double>("lr"); }), HasSubstr("t.yaml:1:5: lr: expected a number, got 'fast'"));
  EXPECT_THAT(config_error([&] { root.required<int64_t>("epochs"); }), HasSubstr("epochs: expected an integer, got '2.5'"));
  EXPECT_THAT(config_error([&] { root.required<bool>("flag"); }), HasSubstr("flag: expected a boolean"));
  EXPECT_THAT(config_error([&] { root.required<double>("list"); }), HasSubstr("list: expected a number, got [1, 2]"));
  EXPECT_THAT(config_error([&] { root.required<double>("momentum"); }), HasSubstr("missing required key 'momentum'"));
  EXPECT_DOUBLE_EQ(root.optional<double>("momentum", 0.9), 0.9);
  EXPECT_THAT(config_error([&] { root.child("lr").elements(); }), HasSubstr("lr: expected a list"));
}

TEST(ConfigNode, RangeChecksAndInvalidYaml) {
  auto root = ConfigNode::load_string("rate: 1.5\n", "r.yaml");
  EXPECT_THAT(config_error([&] { root.required<double>("rate", in_range(0, 1)); }),
              HasSubstr("rate: expected a number in [0, 1], got 1.5"));
  EXPECT_THAT(config_error([] { ConfigNode::load_string("a: [1, 2\n", "bad.yaml"); }), HasSubstr("bad.yaml:"));
  EXPECT_THAT(config_error([] { ConfigNode::load_string("- 1\n- 2\n", "seq.yaml"); }), HasSubstr("expected a mapping"));
  EXPECT_THAT(config_error([] { ConfigNode::load_file("/nonexistent/x.yaml"); }),
              HasSubstr("/nonexistent/x.yaml: cannot open config file"));
}

TEST(DidYouMean, FindsCloseKeysOnly) {
  EXPECT_EQ(did_you_mean("kernal_regularizer", {"kernel_regularizer", "bias_regularizer"}), "kernel_regularizer");
  EXPECT_EQ(did_you_mean("unitz", {"units", "activation"}), "units");
  EXPECT_FALSE(did_you_mean("zzzzzz", {"units", "activation"}).has_value());
}

}  // namespace
}  // namespace occam::config
