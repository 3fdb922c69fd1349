// Where a run's numbers go: metrics.jsonl (one JSON object per logged point, the interface
// tools read), TensorBoard event files (train/ and validation/ runs, so the same tag overlays
// in one chart), and the console (a progress bar on a TTY, one line per epoch otherwise).
//   metrics.jsonl: {"step":…, "epoch":…, "split":"train|val|test", "terms":{…}, "metrics":{…},
//                   "lr":…, "grad_norms":{…}, "weight_norms":{…}, "constraints":{…}}
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "occam/log/event_writer.h"
#include "occam/train/objective.h"

namespace occam::train {

struct LogPoint {
  int64_t step = 0;
  int64_t epoch = 0;
  std::string split;  // "train", "val", "test"
  std::vector<NamedValue> terms;
  std::map<std::string, double> metrics;
  double lr = 0;
  std::map<std::string, double> grad_norms;    // term name → ‖∂term/∂(what it penalizes)‖
  std::map<std::string, double> weight_norms;  // parameter → ‖w‖
  std::map<std::string, double> constraints;   // parameter → fraction clipped this step
  // Quantities that act like regularization but are not terms of the objective (SPEC §7.4):
  // "implied_l2" = wd/2·Σw² of a coupled weight decay, "weight_decay_shrink" = lr·wd·Σw² of a
  // decoupled one.
  std::map<std::string, double> outside_objective;
};

class RunLogger {
 public:
  // first_step: 0 on a fresh run, the checkpoint's step on a resume.
  RunLogger(const std::string& run_dir, int64_t first_step);
  ~RunLogger();
  RunLogger(const RunLogger&) = delete;
  RunLogger& operator=(const RunLogger&) = delete;

  void log(const LogPoint& point);
  // Histograms of parameter values and gradients (train writer).
  void histogram(const std::string& tag, std::span<const float> values, int64_t step);
  void hparams(const tensorboard::HParams& hparams);
  void text(const std::string& tag, const std::string& text, int64_t step);
  void finish(bool success);
  void flush();

  static nlohmann::ordered_json to_json(const LogPoint& point);

 private:
  std::string run_dir_;
  std::FILE* jsonl_ = nullptr;
  tensorboard::EventWriter train_events_, val_events_;
};

}  // namespace occam::train
