// Task: what is specific to the problem a model is trained for — the targets it reads from a
// batch, its data terms (each with name, formula and source, as regularization terms carry
// theirs), its metrics, accumulated over a whole evaluation (mAP needs every detection of the
// split, so nothing is averaged per batch), and the metric that selects the best checkpoint.
// The Trainer, the fit loop, run.json, explain and report know tasks only through this.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "occam/data/source.h"
#include "occam/nn/module.h"
#include "occam/train/objective.h"

namespace occam::train {

// Accumulates a task's metrics batch by batch; values() over everything added so far.
class MetricAccumulator {
 public:
  virtual ~MetricAccumulator() = default;
  virtual void add(const nn::Outputs& outputs, const data::Batch& batch) = 0;
  virtual std::map<std::string, double> values() const = 0;
};

// The metric that selects best.ckpt: its name in the validation metrics, and its direction.
struct Selection {
  std::string metric;
  bool higher_is_better = true;
};

// A data term as a task describes it before any step ran (run.json writes these).
struct DataTermInfo {
  std::string name, formula, source;
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string kind() const = 0;  // "classification"
  virtual std::vector<DataTermInfo> data_terms() const = 0;
  // Adds the data terms for `outputs` of the model on `batch`, in data_terms() order.
  virtual void add_data_terms(Objective& objective, const nn::Outputs& outputs,
                              const data::Batch& batch) const = 0;
  // On a training step (cheap: computed every step, logged every N) or over an evaluation.
  virtual std::unique_ptr<MetricAccumulator> train_metrics() const = 0;
  virtual std::unique_ptr<MetricAccumulator> eval_metrics() const = 0;
  virtual Selection selection() const = 0;
};

// Classification: logits [N,C] (the model's only output, or the one named "logits") and one
// integer label per sample give `classification_loss`, the mean softmax cross-entropy with
// label smoothing ε. Metrics: accuracy (train), accuracy and top-5 (evaluation); best by
// validation accuracy.
class ClassificationTask final : public Task {
 public:
  explicit ClassificationTask(float label_smoothing = 0.f) : label_smoothing_(label_smoothing) {}
  std::string kind() const override { return "classification"; }
  std::vector<DataTermInfo> data_terms() const override;
  void add_data_terms(Objective& objective, const nn::Outputs& outputs,
                      const data::Batch& batch) const override;
  std::unique_ptr<MetricAccumulator> train_metrics() const override;
  std::unique_ptr<MetricAccumulator> eval_metrics() const override;
  Selection selection() const override { return {"accuracy", true}; }
  float label_smoothing() const { return label_smoothing_; }

  static const Var& logits(const nn::Outputs& outputs);

 private:
  float label_smoothing_;
};

}  // namespace occam::train
