// Session: everything a run config builds, in the order every sub-command needs it — threads,
// data splits (their sample shape checked against the model's input), the model, the optimizer,
// the schedule (a cosine over "the whole run" resolved from the data), the task and the Trainer.
// `occam train`, `occam eval` and `occam bench` open one; none builds these pieces itself.
#pragma once

#include <memory>

#include "occam/config/run_config.h"
#include "occam/data/splits.h"
#include "occam/nn/sequential.h"
#include "occam/optim/optimizer.h"
#include "occam/optim/schedule.h"
#include "occam/train/trainer.h"

namespace occam::app {

struct Session {
  config::RunConfig config;
  data::Splits data;
  std::unique_ptr<nn::Sequential> model;
  std::unique_ptr<optim::Optimizer> optimizer;
  std::unique_ptr<optim::Schedule> schedule;
  std::shared_ptr<const train::Task> task;
  std::unique_ptr<train::Trainer> trainer;

  // The batcher of the training split (seeded from the run's seed, as every run has been).
  data::Batcher train_batcher() const;
};

// Throws DataError for unreadable data, ConfigError when the samples do not fit
// model.input_shape or the schedule cannot span the run.
std::unique_ptr<Session> open_session(config::RunConfig config);

}  // namespace occam::app
