// run.json: what `occam explain` needs to know about a run that the numbers do not say — every
// term's formula and source, the convention, the optimizer's weight decay, the equivalences of
// each coefficient, the layers. The terms are those of the first step's objective (names,
// order, formulas and sources as the task and the regularizers gave them), so run.json is
// written after the first step. explain reads only this, metrics.jsonl and summary.json.
#pragma once

#include <nlohmann/json.hpp>

#include "occam/config/run_config.h"
#include "occam/data/splits.h"
#include "occam/nn/sequential.h"
#include "occam/optim/optimizer.h"
#include "occam/train/trainer.h"

namespace occam::app {

nlohmann::json describe_run(const config::RunConfig& config, nn::Sequential& model,
                            const optim::Optimizer& optimizer, const data::Splits& data,
                            const train::StepResult& first_step);

}  // namespace occam::app
