// RunConfig: everything `occam train` reads from a YAML file, typed once here. Past the reader
// nothing compares strings. Every key is documented in docs/config.md.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "occam/data/splits.h"
#include "occam/nn/activation.h"
#include "occam/nn/batch_normalization.h"
#include "occam/nn/conv2d.h"
#include "occam/nn/dense.h"
#include "occam/nn/depthwise_conv2d.h"
#include "occam/nn/dropout.h"
#include "occam/nn/pooling.h"
#include "occam/optim/adam.h"
#include "occam/optim/rmsprop.h"
#include "occam/optim/schedule.h"
#include "occam/optim/sgd.h"
#include "occam/regularize/convention.h"
#include "occam/regularize/regularizer.h"

namespace occam::config {

class ConfigNode;

// `{l2: 1e-4}`, `{l1: 1e-5, l2: 1e-4}`, `l2` (Keras' default 0.01), `{orthogonal: {factor, mode}}`.
struct RegularizerSpec {
  enum class Kind { l1_l2, orthogonal } kind = Kind::l1_l2;
  float l1 = 0.f, l2 = 0.f;
  float factor = 0.01f;
  regularize::OrthogonalMode mode = regularize::OrthogonalMode::rows;
  std::string where;  // file:line: key path, for errors found when building the model
};
// `{max_norm: {max_value: 2}}`, `non_neg`, `unit_norm`, `{min_max_norm: {min_value, max_value, rate}}`.
struct ConstraintSpec {
  enum class Kind { max_norm, min_max_norm, unit_norm, non_neg } kind = Kind::max_norm;
  float min_value = 0.f, max_value = 2.f, rate = 1.f;
};

struct FlattenSpec {};
struct GlobalAvgPoolSpec {};
struct MaxPoolSpec {
  nn::Pool2DOptions options;
};
struct AvgPoolSpec {
  nn::Pool2DOptions options;
};
struct SpatialDropoutSpec {
  nn::DropoutOptions options;
};
struct GaussianDropoutSpec {
  nn::DropoutOptions options;
};

struct LayerSpec {
  std::variant<nn::DenseOptions, nn::Conv2DOptions, nn::DepthwiseConv2DOptions, MaxPoolSpec,
               AvgPoolSpec, GlobalAvgPoolSpec, nn::BatchNormOptions, FlattenSpec,
               nn::DropoutOptions, SpatialDropoutSpec, GaussianDropoutSpec,
               nn::GaussianNoiseOptions, nn::ActivationOptions>
      options;
  std::string name;  // explicit name, or empty
  bool trainable = true;
  // Keyed by parameter role: "kernel", "bias", "gamma", "beta", "depthwise_kernel".
  std::vector<std::pair<std::string, RegularizerSpec>> regularizers;
  std::vector<std::pair<std::string, ConstraintSpec>> constraints;
  std::optional<RegularizerSpec> activity_regularizer;
  std::string where;  // "file:line:col: model.layers[i]"
};

struct ModelConfig {
  Shape input_shape;  // without the batch dimension, e.g. [1, 28, 28]
  std::vector<LayerSpec> layers;
};

using DataConfig = data::DataConfig;

struct OptimizerConfig {
  enum class Kind { sgd, adam, adamw, rmsprop } kind = Kind::sgd;
  optim::SgdOptions sgd;
  optim::AdamOptions adam;
  optim::AdamWOptions adamw;
  optim::RmspropOptions rmsprop;
};

// What the model is trained for (train/task.h). `task:` in the config; classification when absent.
struct TaskConfig {
  enum class Kind { classification } kind = Kind::classification;
  float label_smoothing = 0.f;  // classification: targets (1 − ε)·onehot + ε/C
};

struct TrainingConfig {
  int64_t epochs = 1;
  int64_t batch_size = 128;
  int64_t eval_batch_size = 1000;
  bool fused_regularizers = true;
};

struct LoggingConfig {
  int64_t every_steps = 50;              // train points in metrics.jsonl and TensorBoard
  int64_t histograms_every_steps = 200;  // parameter and gradient histograms (0: never)
  int64_t keep_checkpoints = 2;          // last K epoch checkpoints (plus best.ckpt)
};

struct RunConfig {
  std::string name = "run";
  uint64_t seed = 0;
  int threads = 2;
  regularize::Convention convention = regularize::Convention::keras;
  ModelConfig model;
  TaskConfig task;
  DataConfig data;
  OptimizerConfig optimizer;
  optim::ScheduleOptions schedule = optim::ConstantLrOptions{0.05f};
  TrainingConfig training;
  LoggingConfig logging;
  std::string source;  // the file name, or "(embedded default)"
};

RunConfig read_run_config(ConfigNode root);
RunConfig load_run_config(const std::string& path);  // throws ConfigError
RunConfig default_run_config();  // the embedded default (configs/fashion_mnist_mlp.yaml)
const std::string& default_config_text();

// A cosine schedule without total_steps spans the whole run: epochs × steps_per_epoch.
void resolve_schedule(RunConfig& config, int64_t steps_per_epoch);

// The learning rate the schedule starts from (for logs and explain).
float base_lr(const optim::ScheduleOptions& schedule);
std::string_view to_string(OptimizerConfig::Kind kind);

}  // namespace occam::config
