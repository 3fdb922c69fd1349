// Builds the objects a RunConfig describes: the model (layers named, regularizers and
// constraints attached to the parameters they name), the optimizer and the schedule.
#pragma once

#include <memory>

#include "occam/config/run_config.h"
#include "occam/nn/sequential.h"
#include "occam/optim/optimizer.h"
#include "occam/regularize/equivalence.h"
#include "occam/train/task.h"

namespace occam::config {

// Draws the initial parameters from rng, layer by layer. Throws ConfigError naming the layer's
// config location when a layer cannot take its input (e.g. conv2d after flatten).
std::unique_ptr<nn::Sequential> build_model(const ModelConfig& config,
                                            regularize::Convention convention, Rng& rng);
std::unique_ptr<regularize::Regularizer> make_regularizer(const RegularizerSpec& spec,
                                                          regularize::Convention convention);
std::unique_ptr<regularize::Constraint> make_constraint(const ConstraintSpec& spec);
std::unique_ptr<optim::Optimizer> build_optimizer(const OptimizerConfig& config,
                                                  std::vector<nn::Parameter*> params);
regularize::UpdateRule update_rule(const OptimizerConfig& config);
std::shared_ptr<const train::Task> build_task(const TaskConfig& config);

}  // namespace occam::config
