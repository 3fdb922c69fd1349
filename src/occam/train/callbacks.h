// The fit loop's standard callbacks for a run directory: what `occam train` logs and checkpoints.
//   RunLogCallback      train points every N steps (terms, metrics, lr, gradient and weight norms,
//                       constraints, weight decay outside the objective), histograms, the
//                       validation point after each epoch; flushes at the end of each epoch.
//   CheckpointCallback  after each epoch: epoch-k.ckpt (the last K kept), last.ckpt, and best.ckpt
//                       by the task's selection metric on validation (every epoch without one).
#pragma once

#include <optional>
#include <string>

#include "occam/train/fit.h"
#include "occam/train/run_logger.h"

namespace occam::train {

LogPoint eval_point(int64_t step, int64_t epoch, const std::string& split, const EvalResult& result,
                    float lr);

class RunLogCallback final : public Callback {
 public:
  RunLogCallback(RunLogger& logger, Trainer& trainer, int64_t histograms_every_steps);
  void on_step(const StepEvent& event) override;
  void on_epoch_end(const EpochEvent& event) override;

 private:
  LogPoint train_point(const StepEvent& event) const;
  RunLogger& logger_;
  Trainer& trainer_;
  int64_t histograms_every_;
  optim::WeightDecay weight_decay_;
};

class CheckpointCallback final : public Callback {
 public:
  // best: the selection metric's best value so far (a resumed run reads it from its checkpoint).
  CheckpointCallback(std::string checkpoint_dir, Trainer& trainer, int64_t keep_last,
                     std::optional<double> best = std::nullopt);
  void on_epoch_end(const EpochEvent& event) override;
  // The header key of the best value: "best_val_<metric>" ("best_val_accuracy").
  static std::string best_key(const Selection& selection);
  // The best value recorded in a checkpoint's header, if any.
  static std::optional<double> best_of(const Checkpoint& checkpoint, const Selection& selection);

 private:
  std::string dir_;
  Trainer& trainer_;
  int64_t keep_last_;
  std::optional<double> best_;
};

}  // namespace occam::train
