#include "occam/train/run_logger.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace occam::train {

RunLogger::RunLogger(const std::string& run_dir, int64_t first_step)
    : run_dir_(run_dir),
      train_events_(run_dir + "/train", first_step),
      val_events_(run_dir + "/validation", first_step) {
  const std::string path = run_dir + "/metrics.jsonl";
  jsonl_ = std::fopen(path.c_str(), "a");
  if (!jsonl_) throw Error("cannot open " + path + ": " + std::strerror(errno));
}

RunLogger::~RunLogger() {
  if (jsonl_) std::fclose(jsonl_);
}

nlohmann::ordered_json RunLogger::to_json(const LogPoint& p) {
  nlohmann::ordered_json j;
  j["step"] = p.step;
  j["epoch"] = p.epoch;
  j["split"] = p.split;
  nlohmann::ordered_json terms = nlohmann::ordered_json::object();
  for (const auto& t : p.terms) terms[t.name] = t.value;
  j["terms"] = terms;
  j["metrics"] = p.metrics;
  j["lr"] = p.lr;
  if (!p.grad_norms.empty()) j["grad_norms"] = p.grad_norms;
  if (!p.weight_norms.empty()) j["weight_norms"] = p.weight_norms;
  if (!p.constraints.empty()) j["constraints"] = p.constraints;
  if (!p.outside_objective.empty()) j["outside_objective"] = p.outside_objective;
  return j;
}

void RunLogger::log(const LogPoint& p) {
  const std::string line = to_json(p).dump() + "\n";
  std::fputs(line.c_str(), jsonl_);
  std::fflush(jsonl_);
  auto& events = p.split == "train" ? train_events_ : val_events_;
  if (p.split == "test") return;  // the test split is in metrics.jsonl and summary.json only
  for (const auto& t : p.terms) events.add_scalar("Loss/" + t.name, t.value, p.step);
  for (const auto& [name, v] : p.metrics) events.add_scalar("Metrics/" + name, v, p.step);
  if (p.split == "train") {
    events.add_scalar("learning_rate", p.lr, p.step);
    for (const auto& [name, v] : p.grad_norms) events.add_scalar("GradNorm/" + name, v, p.step);
    for (const auto& [name, v] : p.weight_norms) events.add_scalar("WeightNorm/" + name, v, p.step);
    for (const auto& [name, v] : p.constraints)
      events.add_scalar("Constraint/" + name + "/fraction_clipped", v, p.step);
    for (const auto& [name, v] : p.outside_objective)
      events.add_scalar((name == "implied_l2" ? "Regularization/" : "Optimizer/") + name, v,
                        p.step);
  }
}

void RunLogger::histogram(const std::string& tag, std::span<const float> values, int64_t step) {
  train_events_.add_histogram(tag, values, step);
}

void RunLogger::hparams(const tensorboard::HParams& hparams) {
  train_events_.add_hparams(hparams);
  val_events_.add_hparams(hparams);
}

void RunLogger::text(const std::string& tag, const std::string& text, int64_t step) {
  train_events_.add_text(tag, text, step);
}

void RunLogger::flush() {
  std::fflush(jsonl_);
  train_events_.flush();
  val_events_.flush();
}

void RunLogger::finish(bool success) {
  const auto status = success ? tensorboard::RunStatus::success : tensorboard::RunStatus::failure;
  train_events_.add_hparams_end(status);
  val_events_.add_hparams_end(status);
  flush();
  std::fclose(jsonl_);
  jsonl_ = nullptr;
  train_events_.close();
  val_events_.close();
}

}  // namespace occam::train
