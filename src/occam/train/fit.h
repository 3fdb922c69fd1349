// fit: the one epoch-and-step loop. `occam train`, `occam bench` and bench/step_scaling.cpp all
// run it; what differs between them (logging, checkpoints, progress, timing) is a Callback.
//
//   for epoch in [first_epoch, epochs]:
//     batcher.start_epoch(epoch − 1);   on_epoch_begin
//     for each batch (at most max_batches):
//       result = trainer.train_step(batch, measure)   — the gradient hook runs inside, between
//                                                       backward and the fused penalty gradients
//       on_step(StepEvent)
//     validation (when a source is given) over the whole split
//     on_epoch_end(EpochEvent)        — logging, checkpoints (best by the task's metric), console
//   an exception (DivergenceError, a data error) calls on_abort on every callback, then propagates.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <vector>

#include "occam/data/dataset.h"
#include "occam/train/trainer.h"

namespace occam::train {

struct FitOptions {
  int64_t first_epoch = 1;  // 1-based; a resumed run starts after its checkpoint's epoch
  int64_t epochs = 1;       // the last epoch (inclusive)
  int64_t max_batches = 0;  // per epoch; 0: every batch
  // Gradient norms on the steps whose number before the step is a multiple of this (0: never).
  int64_t measure_every = 0;
  const data::Source* validation = nullptr;  // evaluated after every epoch when it has samples
  int64_t eval_batch_size = 1000;
};

struct StepEvent {
  int64_t epoch = 0;
  int64_t batch = 0;    // 1-based within the epoch
  int64_t batches = 0;  // this epoch's batch count
  const data::Batch& data;
  const StepResult& result;
  float lr = 0;               // the learning rate this step used
  double data_seconds = 0;    // time to fetch and copy the batch
  bool measured = false;      // result.grad_norms was filled
  double epoch_seconds = 0;   // since the epoch began
  int64_t epoch_samples = 0;  // trained so far this epoch
};

struct EpochEvent {
  int64_t epoch = 0;
  std::vector<NamedValue> terms;          // the epoch means of the step terms, batch-size weighted
  std::map<std::string, double> metrics;  // the task's train metrics over the epoch
  int64_t samples = 0;
  double seconds = 0;  // the training part of the epoch
  std::optional<EvalResult> validation;
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_epoch_begin(int64_t epoch) {}
  virtual void on_step(const StepEvent& event) {}
  virtual void on_epoch_end(const EpochEvent& event) {}
  virtual void on_abort() {}
};

void fit(Trainer& trainer, data::Batcher& batcher, const FitOptions& options,
         std::span<Callback* const> callbacks);

}  // namespace occam::train
