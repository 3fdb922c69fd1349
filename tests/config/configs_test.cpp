// The ready-to-run configs in configs/: every file parses, its model and optimizer build, and
// one Fashion-MNIST sample [1, 1, 28, 28] comes out as 10 logits; each demo really carries the
// feature it is named after (docs/regularization.md points users at them).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "occam/config/build.h"
#include "occam/config/run_config.h"
#include "occam/nn/conv2d.h"
#include "occam/nn/dense.h"
#include "occam/nn/layer.h"
#include "occam/train/objective.h"
#include "testing/testing.h"

namespace occam::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const fs::path kConfigs = fs::path(OCCAM_SOURCE_DIR) / "configs";

std::vector<std::string> config_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kConfigs))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Built {
  RunConfig config;
  std::unique_ptr<nn::Sequential> model;
  std::unique_ptr<optim::Optimizer> optimizer;
};

Built build(const std::string& name) {
  Built b;
  b.config = load_run_config((kConfigs / name).string());
  Rng rng(b.config.seed);
  b.model = build_model(b.config.model, b.config.convention, rng);
  b.optimizer = build_optimizer(b.config.optimizer, b.model->parameters());
  return b;
}

// Updates per epoch: what train_limit and the validation split leave of Fashion-MNIST's 60000
// training images, in batches (the last one may be short), as `occam train` computes it.
int64_t steps_per_epoch(const RunConfig& c) {
  int64_t n = c.data.train_limit > 0 ? std::min<int64_t>(c.data.train_limit, 60000) : 60000;
  n -= std::llround(c.data.validation_split * double(n));
  return (n + c.training.batch_size - 1) / c.training.batch_size;
}

Tensor one_sample(const RunConfig& config, uint64_t seed) {
  Shape shape = config.model.input_shape;
  shape.insert(shape.begin(), 1);
  Rng rng(seed);
  return testing::uniform(shape, rng, 0.f, 1.f);  // pixels in [0, 1], as the loader gives
}

std::vector<nn::Parameter*> regularized(nn::Sequential& model) {
  std::vector<nn::Parameter*> out;
  for (nn::Parameter* p : model.parameters())
    if (p->regularizer) out.push_back(p);
  return out;
}

std::vector<nn::Parameter*> constrained(nn::Sequential& model) {
  std::vector<nn::Parameter*> out;
  for (nn::Parameter* p : model.parameters())
    if (p->constraint) out.push_back(p);
  return out;
}

std::vector<std::string> layer_types(const nn::Sequential& model) {
  std::vector<std::string> types;
  for (const auto& m : model.layers())
    types.emplace_back(dynamic_cast<const nn::Layer&>(*m).type_name());
  return types;
}

double sum_of_squares(const Tensor& t) {
  double s = 0;
  for (float v : t.span()) s += double(v) * v;
  return s;
}

// ---- every file ----

TEST(Configs, TheDirectoryHoldsTheDefaultTheCnnAndOneDemoPerFeature) {
  const std::vector<std::string> want = {
      "demo_activity.yaml",     "demo_adamw.yaml",          "demo_batch_norm.yaml",
      "demo_cosine.yaml",       "demo_dropout_family.yaml", "demo_frozen.yaml",
      "demo_l1.yaml",           "demo_l1_l2.yaml",          "demo_max_norm.yaml",
      "demo_min_max_norm.yaml", "demo_non_neg.yaml",        "demo_orthogonal.yaml",
      "demo_tf_slim.yaml",      "demo_unit_norm.yaml",      "fashion_mnist_cnn.yaml",
      "fashion_mnist_mlp.yaml"};
  const auto names = config_names();
  for (const auto& w : want)
    EXPECT_TRUE(std::count(names.begin(), names.end(), w)) << "missing configs/" << w;
}

TEST(Configs, EveryFileParsesBuildsAndMapsOneSampleToTenLogits) {
  const auto names = config_names();
  ASSERT_FALSE(names.empty()) << "no *.yaml in " << kConfigs;
  for (const auto& name : names) {
    SCOPED_TRACE("configs/" + name);
    Built b;
    ASSERT_NO_THROW(b = build(name));
    ASSERT_EQ(b.config.data.kind, DataConfig::Kind::fashion_mnist);
    EXPECT_EQ(b.config.model.input_shape, (Shape{1, 28, 28}));  // Fashion-MNIST [C,H,W]
    // A cosine schedule without total_steps is completed from the data size, as `occam train` does.
    EXPECT_NO_THROW(resolve_schedule(b.config, steps_per_epoch(b.config)));
    EXPECT_NO_THROW(optim::make_schedule(b.config.schedule));
    EXPECT_EQ(b.model->output_shape({1, 1, 28, 28}), (Shape{1, 10}));

    // A real forward pass, in eval mode and in train mode (dropout and noise drawing).
    const Tensor x = one_sample(b.config, 3);
    for (nn::Mode mode : {nn::Mode::eval, nn::Mode::train}) {
      Rng rng(5);
      std::vector<nn::Term> activity;
      nn::StepContext ctx{mode, &rng, &activity, false};
      const Tensor y = (*b.model)(constant(x), ctx).value();
      ASSERT_EQ(y.shape(), (Shape{1, 10}));
      for (float v : y.span()) EXPECT_TRUE(std::isfinite(v));
    }
  }
}

TEST(Configs, EveryDemoIsAQuickRunThatSaysWhatItShows) {
  for (const auto& name : config_names()) {
    if (name.rfind("demo_", 0) != 0) continue;
    SCOPED_TRACE("configs/" + name);
    const std::string text = read_text(kConfigs / name);
    EXPECT_THAT(text, StartsWith("# Demo:"));
    EXPECT_THAT(text, HasSubstr("Look for"));
    EXPECT_THAT(text, HasSubstr("occam explain"));
    const RunConfig c = load_run_config((kConfigs / name).string());
    EXPECT_EQ(c.name + ".yaml", name);  // runs/<name> is what the comment tells users to explain
    EXPECT_EQ(c.data.train_limit, 6000);
    EXPECT_DOUBLE_EQ(c.data.validation_split, 0.1);
    EXPECT_LE(c.training.epochs, 2);
  }
}

// ---- the CNN ----

TEST(Configs, FashionMnistCnnIsTheKerasCnnWithL2OnEveryKernel) {
  Built b = build("fashion_mnist_cnn.yaml");
  EXPECT_EQ(layer_types(*b.model),
            (std::vector<std::string>{"conv2d", "conv2d", "max_pooling2d", "dropout", "flatten",
                                      "dense", "dropout", "dense"}));
  auto& conv1 = dynamic_cast<nn::Conv2D&>(*b.model->layers()[0]);
  auto& conv2 = dynamic_cast<nn::Conv2D&>(*b.model->layers()[1]);
  auto& dense1 = dynamic_cast<nn::Dense&>(*b.model->layers()[5]);
  EXPECT_EQ(conv1.kernel().data().shape(), (Shape{32, 1, 3, 3}));
  EXPECT_EQ(conv2.kernel().data().shape(), (Shape{64, 32, 3, 3}));
  EXPECT_EQ(dense1.kernel().data().shape(), (Shape{64 * 12 * 12, 128}));
  EXPECT_FLOAT_EQ(dynamic_cast<nn::Dropout&>(*b.model->layers()[3]).rate(), 0.25f);
  EXPECT_FLOAT_EQ(dynamic_cast<nn::Dropout&>(*b.model->layers()[6]).rate(), 0.5f);
  for (nn::Parameter* p : b.model->parameters()) {
    const bool kernel = p->name.ends_with("/kernel");
    ASSERT_EQ(p->regularizer != nullptr, kernel) << p->name;
    if (kernel) EXPECT_EQ(p->regularizer->formula(), "0.0001·Σw² (keras)") << p->name;
  }
  EXPECT_EQ(b.config.optimizer.kind, OptimizerConfig::Kind::adam);
  EXPECT_FLOAT_EQ(base_lr(b.config.schedule), 1e-3f);
  EXPECT_EQ(b.config.training.batch_size, 128);
  EXPECT_DOUBLE_EQ(b.config.data.validation_split, 0.1);
  EXPECT_EQ(b.config.data.train_limit, 0);  // the whole training set
}

// ---- one demo per feature ----

TEST(Configs, DemoL1PutsAnL1TermOnEveryKernel) {
  Built b = build("demo_l1.yaml");
  const auto ps = regularized(*b.model);
  ASSERT_EQ(ps.size(), 2u);
  for (nn::Parameter* p : ps) {
    EXPECT_EQ(p->regularizer->kind(), "l1") << p->name;
    // λ·Σ|w|, λ = 1e-5
    double l1 = 0;
    for (float v : p->data().span()) l1 += std::fabs(v);
    EXPECT_NEAR(p->regularizer->penalty(p->value).item(), 1e-5 * l1, 1e-6 * 1e-5 * l1) << p->name;
  }
}

TEST(Configs, DemoL1L2PutsOneCombinedTermOnEveryKernel) {
  Built b = build("demo_l1_l2.yaml");
  const auto ps = regularized(*b.model);
  ASSERT_EQ(ps.size(), 2u);
  for (nn::Parameter* p : ps) {
    EXPECT_EQ(p->regularizer->kind(), "l1_l2") << p->name;
    EXPECT_EQ(p->regularizer->formula(), "1e-05·Σ|w| + 0.0001·Σw² (keras)") << p->name;
  }
}

TEST(Configs, DemoOrthogonalRegularizesTheColumnsOfADenseKernel) {
  Built b = build("demo_orthogonal.yaml");
  const auto ps = regularized(*b.model);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0]->name, "dense_1/kernel");
  EXPECT_EQ(ps[0]->regularizer->kind(), "orthogonal");
  EXPECT_THAT(ps[0]->regularizer->formula(), HasSubstr("cos(col_i, col_j)"));
  // factor · mean |cos|: positive for random columns, never above the factor.
  const float v = ps[0]->regularizer->penalty(ps[0]->value).item();
  EXPECT_GT(v, 0.f);
  EXPECT_LE(v, 0.01f);
}

TEST(Configs, DemoActivityPenalizesALayerOutputDividedByTheBatch) {
  Built b = build("demo_activity.yaml");
  EXPECT_TRUE(regularized(*b.model).empty());
  nn::Module* dense1 = b.model->find_layer("dense_1");
  ASSERT_NE(dense1, nullptr);
  ASSERT_NE(dense1->activity_regularizer, nullptr);
  EXPECT_EQ(dense1->activity_regularizer->kind(), "l1");

  Rng rng(1);
  const Tensor x = testing::uniform({4, 1, 28, 28}, rng, 0.f, 1.f);
  std::vector<nn::Term> activity;
  nn::StepContext ctx{nn::Mode::eval, nullptr, &activity, false};
  (*b.model)(constant(x), ctx);
  ASSERT_EQ(activity.size(), 1u);
  EXPECT_EQ(activity[0].name, "dense_1/activity/l1");
  EXPECT_FLOAT_EQ(activity[0].divisor, 4.f);
}

TEST(Configs, DemoTfSlimHalvesTheL2OfTheConvKernelsOnly) {
  Built b = build("demo_tf_slim.yaml");
  EXPECT_EQ(b.config.convention, regularize::Convention::tf_slim);
  const auto ps = regularized(*b.model);
  ASSERT_EQ(ps.size(), 2u);
  for (nn::Parameter* p : ps) {
    EXPECT_EQ(p->layout, regularize::Layout::conv_kernel) << p->name;
    EXPECT_EQ(p->regularizer->formula(), "4e-05·Σw²/2 (tf_slim)") << p->name;
    // slim.l2_regularizer(4e-5) = 4e-5·Σw²/2 = Keras l2(2e-5)
    const double want = 2e-5 * sum_of_squares(p->data());
    EXPECT_NEAR(p->regularizer->penalty(p->value).item(), want, 1e-5 * want) << p->name;
  }
}

TEST(Configs, DemoMaxNormClipsEveryUnitOfBothKernels) {
  Built b = build("demo_max_norm.yaml");
  const auto ps = constrained(*b.model);
  ASSERT_EQ(ps.size(), 2u);
  for (nn::Parameter* p : ps) {
    EXPECT_EQ(p->constraint->describe(), "max_norm(max_value=1.5)") << p->name;
    Tensor w = p->data().clone();
    for (float& v : w.span()) v *= 10.f;  // every unit far above the bound
    EXPECT_FLOAT_EQ(p->constraint->project(w, p->layout), 1.f) << p->name;
    for (float n : regularize::unit_norms(w, p->layout)) EXPECT_NEAR(n, 1.5f, 1e-5f) << p->name;
  }
}

TEST(Configs, DemoMinMaxNormMovesUnitsHalfWayIntoTheBand) {
  Built b = build("demo_min_max_norm.yaml");
  const auto ps = constrained(*b.model);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0]->constraint->describe(), "min_max_norm(min_value=0.5, max_value=1, rate=0.5)");
}

TEST(Configs, DemoUnitNormMakesEveryColumnUnitLength) {
  Built b = build("demo_unit_norm.yaml");
  const auto ps = constrained(*b.model);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0]->constraint->kind(), "unit_norm");
  Tensor w = ps[0]->data().clone();
  ps[0]->constraint->project(w, ps[0]->layout);
  const auto norms = regularize::unit_norms(w, ps[0]->layout);
  EXPECT_EQ(norms.size(), 128u);  // one per output unit of dense_1
  for (float n : norms) EXPECT_NEAR(n, 1.f, 1e-5f);
}

TEST(Configs, DemoNonNegConstrainsTheOutputKernel) {
  Built b = build("demo_non_neg.yaml");
  const auto ps = constrained(*b.model);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0]->name, "dense_2/kernel");
  EXPECT_EQ(ps[0]->constraint->kind(), "non_neg");
}

TEST(Configs, DemoDropoutFamilyHasEveryNoiseLayerAndTheyActOnlyInTraining) {
  Built b = build("demo_dropout_family.yaml");
  const auto types = layer_types(*b.model);
  for (const char* t : {"gaussian_noise", "spatial_dropout2d", "dropout", "gaussian_dropout"})
    EXPECT_TRUE(std::count(types.begin(), types.end(), t)) << "no " << t << " layer";
  const Tensor x = one_sample(b.config, 8);
  auto run = [&](nn::Mode mode, uint64_t seed) {
    Rng rng(seed);
    nn::StepContext ctx{mode, &rng, nullptr, false};
    return (*b.model)(constant(x), ctx).value();
  };
  const Tensor eval_a = run(nn::Mode::eval, 1), eval_b = run(nn::Mode::eval, 2);
  EXPECT_TENSORS_NEAR(eval_a, eval_b, (testing::Tol{0, 0}));  // no noise at inference
  const Tensor train_a = run(nn::Mode::train, 1);
  double diff = 0;
  for (int64_t i = 0; i < train_a.numel(); ++i)
    diff = std::max(diff, double(std::fabs(train_a[i] - eval_a[i])));
  EXPECT_GT(diff, 1e-4);
}

TEST(Configs, DemoBatchNormPutsAnL2KernelWithoutBiasRightBeforeBatchNorm) {
  Built b = build("demo_batch_norm.yaml");
  const auto types = layer_types(*b.model);
  ASSERT_GE(types.size(), 2u);
  EXPECT_EQ(types[0], "conv2d");
  EXPECT_EQ(types[1], "batch_normalization");
  auto& conv = dynamic_cast<nn::Conv2D&>(*b.model->layers()[0]);
  EXPECT_EQ(conv.bias(), nullptr);
  EXPECT_EQ(conv.options().activation,
            nn::Activation::linear);  // relu after BN: exactly scale-invariant
  ASSERT_NE(conv.kernel().regularizer, nullptr);
  EXPECT_EQ(conv.kernel().regularizer->kind(), "l2");
}

TEST(Configs, DemoFrozenHasARegularizedFrozenKernelThatTheObjectiveSkips) {
  Built b = build("demo_frozen.yaml");
  nn::Parameter* frozen = b.model->find_parameter("dense_1/kernel");
  ASSERT_NE(frozen, nullptr);
  EXPECT_FALSE(frozen->trainable);
  EXPECT_NE(frozen->regularizer, nullptr);
  EXPECT_FALSE(b.model->find_parameter("dense_1/bias")->trainable);
  EXPECT_TRUE(b.model->find_parameter("dense_2/kernel")->trainable);

  train::Objective objective;
  objective.add_parameter_penalties(b.model->parameters(), /*fused=*/false);
  EXPECT_EQ(objective.frozen_regularized(), (std::vector<std::string>{"dense_1/kernel"}));
  ASSERT_EQ(objective.regularization_terms().size(), 1u);
  EXPECT_EQ(objective.regularization_terms()[0].name, "dense_2/kernel/l2");
}

TEST(Configs, DemoAdamwDecaysDecoupledWithoutAnyPenalty) {
  Built b = build("demo_adamw.yaml");
  EXPECT_TRUE(regularized(*b.model).empty());
  EXPECT_STREQ(b.optimizer->name(), "adamw");
  const optim::WeightDecay wd = b.optimizer->describe_weight_decay();
  EXPECT_EQ(wd.kind, optim::WeightDecayKind::decoupled);
  EXPECT_TRUE(wd.scaled_by_lr);
  EXPECT_FLOAT_EQ(wd.coefficient, 0.05f);
}

TEST(Configs, DemoCosineWarmsUpThenEndsWithTheRun) {
  Built b = build("demo_cosine.yaml");
  ASSERT_TRUE(std::holds_alternative<optim::CosineLrOptions>(b.config.schedule));
  const auto& o = std::get<optim::CosineLrOptions>(b.config.schedule);
  // The schedule's last step is the run's last update: epochs × ⌈5400 / 128⌉ = 2 × 43.
  EXPECT_EQ(steps_per_epoch(b.config), 43);
  EXPECT_EQ(o.total_steps, b.config.training.epochs * steps_per_epoch(b.config));
  EXPECT_GT(o.warmup_steps, 0);
  const auto s = optim::make_schedule(b.config.schedule);
  EXPECT_FLOAT_EQ(s->lr_at(0), o.warmup_lr);
  EXPECT_LT(s->lr_at(0), s->lr_at(o.warmup_steps - 1));
  EXPECT_FLOAT_EQ(s->lr_at(o.warmup_steps), base_lr(b.config.schedule));
  EXPECT_NEAR(s->lr_at(o.total_steps), 0.f, 1e-7f);
}

}  // namespace
}  // namespace occam::config
