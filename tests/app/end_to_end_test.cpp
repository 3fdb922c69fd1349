// The whole path a config takes — YAML → model with named regularizers → Trainer → SGD — against
// the PyTorch end-to-end fixtures: every term at every step, the gradients, the parameters and
// the momentum buffers after each of 3 steps, on the tape path and on the fused L1/L2 path.
#include "occam/config/build.h"
#include "occam/config/node.h"
#include "occam/train/trainer.h"
#include "testing/testing.h"

namespace occam {
namespace {

using testing::load_fixture;
using testing::Tol;

const char* kMlp = R"(
model:
  input_shape: [6]
  layers:
    - {type: dense, name: dense_1, units: 5, activation: relu, kernel_regularizer: {l2: 1.0e-3},
       bias_regularizer: {l1: 1.0e-4}, activity_regularizer: {l2: 1.0e-2}}
    - {type: dense, name: dense_2, units: 3, kernel_regularizer: {l2: 1.0e-3}}
optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
)";

const char* kConvnet = R"(
model:
  input_shape: [1, 6, 6]
  layers:
    - {type: conv2d, name: conv_1, filters: 2, kernel_size: 3, activation: relu,
       kernel_regularizer: {l2: 1.0e-3}, bias_regularizer: {l1: 1.0e-4}, activity_regularizer: {l2: 1.0e-2}}
    - {type: max_pool2d, name: pool_1, pool_size: 2}
    - {type: flatten}
    - {type: dense, name: dense_1, units: 3, kernel_regularizer: {l2: 1.0e-3}}
optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
)";

// Fixture term names ("dense_1/kernel_l2", "data_loss") → Occam's ("dense_1/kernel/l2", ...).
std::string occam_name(const std::string& fixture_name) {
  if (fixture_name == "data_loss") return "classification_loss";
  const auto us = fixture_name.rfind('_');
  if (fixture_name.find('/') == std::string::npos || us == std::string::npos) return fixture_name;
  return fixture_name.substr(0, us) + "/" + fixture_name.substr(us + 1);
}

void expect_run_matches_torch(const char* yaml, const char* case_name, bool fused) {
  SCOPED_TRACE(std::string(case_name) + (fused ? " (fused L1/L2)" : " (tape)"));
  const auto ref = load_fixture(case_name);
  auto cfg = config::read_run_config(config::ConfigNode::load_string(yaml, case_name));
  Rng rng(0);
  auto model = config::build_model(cfg.model, cfg.convention, rng);
  std::vector<std::string> params;
  for (nn::Parameter* p : model->parameters()) {
    p->data().copy_from(ref(p->name));
    params.push_back(p->name);
  }
  ASSERT_EQ(params.size(), 4u);
  auto optimizer = config::build_optimizer(cfg.optimizer, model->parameters());
  train::Trainer trainer(
      *model, *optimizer, [](int64_t) { return 0.05f; },
      std::make_shared<train::ClassificationTask>(), train::TrainerOptions{fused, true}, Rng(1));
  data::Batch batch;
  batch.inputs = ref("x");
  batch.labels = ref.labels("labels");
  batch.indices.resize(batch.labels.size());
  // Deeper than one op (a few layers, 3 steps): float32 against float64 keeps ~1e-6 relative.
  const Tol tol{2e-6, 2e-5};
  for (int k = 1; k <= 3; ++k) {
    SCOPED_TRACE("step " + std::to_string(k));
    const std::string before = k == 1 ? "" : "after_step_" + std::to_string(k - 1) + "/";
    const std::string after = "after_step_" + std::to_string(k) + "/";
    const train::StepResult r = trainer.train_step(batch);
    // The terms logged for step k are those at the parameters before update k.
    const nlohmann::json& outputs = ref.json.at("outputs");
    size_t matched = 0;
    for (const auto& [key, value] : outputs.items()) {
      const std::string prefix = before + "terms/";
      if (key.rfind(prefix, 0) != 0 ||
          key.find('/', prefix.size()) == std::string::npos && key.size() <= prefix.size())
        continue;
      const std::string name = key.substr(prefix.size());
      if (before.empty() && name.rfind("after_step", 0) == 0) continue;
      const std::string ours = occam_name(name);
      bool found = false;
      for (const auto& t : r.terms)
        if (t.name == ours) {
          found = true;
          const double want = ref(key).item();
          EXPECT_NEAR(t.value, want, 2e-6 + 2e-5 * std::fabs(want)) << ours;
        }
      EXPECT_TRUE(found) << "no term " << ours;
      ++matched;
    }
    EXPECT_EQ(matched, 7u);
    // The identity holds exactly as computed, in float: total = data + Σ terms (in order).
    float reg = 0.f;
    for (size_t i = 1; i + 2 < r.terms.size(); ++i) reg += r.terms[i].value;
    EXPECT_EQ(r.terms[r.terms.size() - 2].value, reg);
    EXPECT_EQ(r.terms.back().value, r.terms[0].value + reg);
    for (nn::Parameter* p : model->parameters()) {
      EXPECT_TENSORS_NEAR(p->value.grad(), ref(before + "d_" + p->name), tol) << p->name;
      EXPECT_TENSORS_NEAR(p->data(), ref(after + p->name), tol) << p->name;
    }
    for (const auto& s : optimizer->state()) {
      const std::string param = s.name.substr(0, s.name.rfind('/'));
      EXPECT_TENSORS_NEAR(s.value, ref(after + "momentum_buffer/" + param), tol) << s.name;
    }
  }
}

TEST(EndToEnd, MlpMatchesTorchForThreeSgdStepsOnTheTape) {
  expect_run_matches_torch(kMlp, "mlp_6_5_3", false);
}
TEST(EndToEnd, MlpMatchesTorchForThreeSgdStepsFused) {
  expect_run_matches_torch(kMlp, "mlp_6_5_3", true);
}
TEST(EndToEnd, ConvnetMatchesTorchForThreeSgdStepsOnTheTape) {
  expect_run_matches_torch(kConvnet, "convnet_1_2_3", false);
}
TEST(EndToEnd, ConvnetMatchesTorchForThreeSgdStepsFused) {
  expect_run_matches_torch(kConvnet, "convnet_1_2_3", true);
}

}  // namespace
}  // namespace occam
