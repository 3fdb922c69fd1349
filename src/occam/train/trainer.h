// Trainer: wires a model, a task (its data terms and metrics), the optimizer and its schedule.
// It sums and steps; the model owns its parameters and regularization terms, the task owns its
// data terms. One step (train_step):
//   zero_grad → forward (tape) → Objective{task's data terms, penalties, activity terms}
//   → backward(Σ terms on the tape) → gradient hook (e.g. an all-reduce of the gradients)
//   → apply_penalty_gradients (fused L1/L2) → values, finite check → optimizer.step(lr)
//   → constraints → (logging steps) gradient norms
// The epoch loop around it is train::fit (train/fit.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "occam/data/source.h"
#include "occam/nn/module.h"
#include "occam/optim/optimizer.h"
#include "occam/train/checkpoint.h"
#include "occam/train/objective.h"
#include "occam/train/task.h"

namespace occam::train {

struct TrainerOptions {
  bool fused_regularizers =
      true;  // L1/L2 gradients added in one pass after backward (same numbers as the tape)
  bool check_finite = true;  // a NaN or Inf in any term stops the run naming the term
};

// Wall time of the phases of one step, in seconds (as bench/ and torch_ref.py split a step).
struct StepTimes {
  double forward = 0;    // model, data terms, tape penalties
  double backward = 0;   // zero_grad, the tape, the gradient hook, the fused L1/L2 pass, values
  double optimizer = 0;  // the update and the constraints
};

struct StepResult {
  std::vector<NamedValue> terms;              // the objective, in order
  std::map<std::string, double> metrics;      // the task's train metrics on this batch (dropout on)
  nn::Outputs outputs;                        // the model's outputs (values only, off the tape)
  int64_t count = 0;                          // samples in the batch
  std::map<std::string, double> constraints;  // parameter → fraction clipped
  std::map<std::string, double> grad_norms;   // measured steps only
  std::vector<nn::Term> data;                 // the data terms with their metadata
  std::vector<nn::Term> regularization;       // the terms with their metadata (value as computed)
  std::vector<std::string> frozen_regularized;
  StepTimes times;
};

struct EvalResult {
  std::vector<NamedValue> terms;          // each the batch-size-weighted mean over the source
  std::map<std::string, double> metrics;  // the task's, over the whole source
  int64_t count = 0;
  double metric(const std::string& name) const;  // NaN when the task has no such metric
};

// Thrown when a term of the objective is NaN or ±Inf: names the term and the step.
class DivergenceError : public Error {
 public:
  using Error::Error;
};

class Trainer {
 public:
  using Schedule = std::function<float(int64_t step)>;
  // Called with the model's parameters between backward and the fused penalty gradients: the
  // data gradients (and the tape penalties') are in p->value.grad(), the fused L1/L2 ones not yet.
  using GradientHook = std::function<void(std::span<nn::Parameter* const> params)>;

  Trainer(nn::Module& model, optim::Optimizer& optimizer, Schedule schedule,
          std::shared_ptr<const Task> task, TrainerOptions options, Rng rng);

  // One optimization step on a batch. measure: also compute gradient norms.
  StepResult train_step(const data::Batch& batch, bool measure = false);
  // Data and regularization terms and the task's metrics over a source, in eval mode (dropout
  // off, batch norm on running statistics), recording nothing on the tape.
  EvalResult evaluate(const data::Source& source, int64_t batch_size);
  // The model's outputs for x in eval mode.
  nn::Outputs predict(const Tensor& x);

  void set_gradient_hook(GradientHook hook) { gradient_hook_ = std::move(hook); }

  int64_t step() const { return step_; }
  float lr() const { return schedule_(step_); }
  nn::Module& model() { return model_; }
  optim::Optimizer& optimizer() { return optimizer_; }
  const Task& task() const { return *task_; }

  // Everything needed to continue bit-identically: parameters, buffers, optimizer state, step,
  // the dropout RNG. The caller adds its own header entries (epoch, ...).
  Checkpoint checkpoint() const;
  void restore(const Checkpoint& checkpoint);

 private:
  void check_finite(const std::vector<NamedValue>& terms) const;
  std::map<std::string, double> gradient_norms(const std::vector<nn::Parameter*>& params,
                                               const Objective& objective) const;

  nn::Module& model_;
  optim::Optimizer& optimizer_;
  Schedule schedule_;
  std::shared_ptr<const Task> task_;
  TrainerOptions options_;
  Rng rng_;
  GradientHook gradient_hook_;
  int64_t step_ = 0;
};

// ‖w‖ of every parameter, for the logs.
std::map<std::string, double> weight_norms(nn::Module& model);

}  // namespace occam::train
