// run.json: what `occam explain` needs to know about a run that the numbers do not say — every
// term's formula and source, the convention, the optimizer's weight decay, the equivalences of
// each coefficient, the layers — written once when training starts. explain reads only this,
// metrics.jsonl and summary.json.
#pragma once

#include <nlohmann/json.hpp>

#include "occam/config/run_config.h"
#include "occam/nn/sequential.h"
#include "occam/optim/optimizer.h"

namespace occam::app {

nlohmann::json describe_run(const config::RunConfig& config, nn::Sequential& model,
                            const optim::Optimizer& optimizer, int64_t train_size,
                            int64_t val_size, int64_t test_size);

}  // namespace occam::app
