// Trainer: wires a model, a task's data terms, the optimizer and its schedule. It sums and steps;
// the model owns its parameters and regularization terms, the task owns its data terms.
//   step: zero_grad → forward (tape) → Objective → backward(total) → optimizer.step(lr)
//         → constraints → (logging steps) gradient and weight norms
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "occam/data/dataset.h"
#include "occam/nn/module.h"
#include "occam/optim/optimizer.h"
#include "occam/train/checkpoint.h"
#include "occam/train/objective.h"

namespace occam::train {

// A classification task: logits [N,C] and integer labels give `classification_loss`, the mean
// softmax cross-entropy (with label smoothing ε).
struct ClassificationTask {
  float label_smoothing = 0.f;
  void add_data_terms(Objective& objective, const Var& logits, std::span<const int64_t> labels) const;
};

struct TrainerOptions {
  bool fused_regularizers = true;  // L1/L2 gradients added in place (same numbers as the tape)
  bool check_finite = true;        // a NaN or Inf in any term stops the run naming the term
};

// Wall time of the phases of one step, in seconds (as bench/ and torch_ref.py split a step).
struct StepTimes {
  double forward = 0;    // model, data terms, penalties (fused L1/L2 gradients included), values
  double backward = 0;   // zero_grad and the tape
  double optimizer = 0;  // the update and the constraints
};

struct StepResult {
  std::vector<NamedValue> terms;           // the objective, in order
  int64_t correct = 0, count = 0;          // top-1 on this batch (train mode: dropout on)
  std::map<std::string, double> constraints;  // parameter → fraction clipped
  std::map<std::string, double> grad_norms;   // measured steps only
  std::vector<nn::Term> regularization;    // the terms with their metadata (value as computed)
  std::vector<std::string> frozen_regularized;
  StepTimes times;
};

struct EvalResult {
  std::vector<NamedValue> terms;  // each the batch-size-weighted mean over the dataset
  double accuracy = 0, top5 = 0;
  int64_t count = 0;
};

// Thrown when a term of the objective is NaN or ±Inf: names the term and the step.
class DivergenceError : public Error {
 public:
  using Error::Error;
};

class Trainer {
 public:
  using Schedule = std::function<float(int64_t step)>;
  Trainer(nn::Module& model, optim::Optimizer& optimizer, Schedule schedule, ClassificationTask task,
          TrainerOptions options, Rng rng);

  // One optimization step on x [N, ...] with labels [N]. measure: also compute gradient norms.
  StepResult train_step(const Tensor& x, std::span<const int64_t> labels, bool measure = false);
  // Data and regularization terms and metrics over a dataset, in eval mode (dropout off, batch
  // norm on running statistics), recording nothing on the tape.
  EvalResult evaluate(const data::Dataset& dataset, int64_t batch_size);
  // Logits for x in eval mode.
  Tensor predict(const Tensor& x);

  int64_t step() const { return step_; }
  float lr() const { return schedule_(step_); }
  nn::Module& model() { return model_; }
  optim::Optimizer& optimizer() { return optimizer_; }

  // Everything needed to continue bit-identically: parameters, buffers, optimizer state, step,
  // the dropout RNG. The caller adds its own header entries (epoch, ...).
  Checkpoint checkpoint() const;
  void restore(const Checkpoint& checkpoint);

 private:
  nn::Module& model_;
  optim::Optimizer& optimizer_;
  Schedule schedule_;
  ClassificationTask task_;
  TrainerOptions options_;
  Rng rng_;
  int64_t step_ = 0;
};

// ‖w‖ of every parameter, for the logs.
std::map<std::string, double> weight_norms(nn::Module& model);

}  // namespace occam::train
