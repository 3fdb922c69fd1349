#include "occam/train/callbacks.h"

#include <filesystem>

namespace occam::train {

LogPoint eval_point(int64_t step, int64_t epoch, const std::string& split, const EvalResult& r,
                    float lr) {
  LogPoint p;
  p.step = step;
  p.epoch = epoch;
  p.split = split;
  p.terms = r.terms;
  p.metrics = r.metrics;
  p.lr = lr;
  return p;
}

RunLogCallback::RunLogCallback(RunLogger& logger, Trainer& trainer, int64_t histograms_every_steps)
    : logger_(logger),
      trainer_(trainer),
      histograms_every_(histograms_every_steps),
      weight_decay_(trainer.optimizer().describe_weight_decay()) {}

LogPoint RunLogCallback::train_point(const StepEvent& e) const {
  LogPoint p{.step = trainer_.step(),
             .epoch = e.epoch,
             .split = "train",
             .terms = e.result.terms,
             .metrics = e.result.metrics,
             .lr = e.lr,
             .grad_norms = e.result.grad_norms,
             .weight_norms = weight_norms(trainer_.model()),
             .constraints = e.result.constraints,
             .outside_objective = {}};
  if (weight_decay_.kind == optim::WeightDecayKind::none) return p;
  double sum_sq = 0;  // over the parameters the decay acts on: every trainable one
  for (nn::Parameter* prm : trainer_.model().parameters())
    if (prm->trainable) sum_sq += p.weight_norms[prm->name] * p.weight_norms[prm->name];
  if (weight_decay_.kind == optim::WeightDecayKind::coupled)
    p.outside_objective["implied_l2"] = weight_decay_.coefficient / 2 * sum_sq;
  else
    p.outside_objective["weight_decay_shrink"] =
        (weight_decay_.scaled_by_lr ? e.lr : 1.f) * weight_decay_.coefficient * sum_sq;
  return p;
}

void RunLogCallback::on_step(const StepEvent& e) {
  if (e.measured) logger_.log(train_point(e));
  const int64_t step = trainer_.step();
  if (histograms_every_ > 0 && (step - 1) % histograms_every_ == 0)
    for (nn::Parameter* prm : trainer_.model().parameters()) {
      logger_.histogram("Parameters/" + prm->name, prm->data().span(), step);
      if (prm->value.grad().defined())
        logger_.histogram("Gradients/" + prm->name, prm->value.grad().span(), step);
    }
}

void RunLogCallback::on_epoch_end(const EpochEvent& e) {
  if (e.validation)
    logger_.log(eval_point(trainer_.step(), e.epoch, "val", *e.validation, trainer_.lr()));
  logger_.flush();
}

CheckpointCallback::CheckpointCallback(std::string checkpoint_dir, Trainer& trainer,
                                       int64_t keep_last, std::optional<double> best)
    : dir_(std::move(checkpoint_dir)), trainer_(trainer), keep_last_(keep_last), best_(best) {
  std::filesystem::create_directories(dir_);
}

std::string CheckpointCallback::best_key(const Selection& s) { return "best_val_" + s.metric; }

std::optional<double> CheckpointCallback::best_of(const Checkpoint& c, const Selection& s) {
  const auto it = c.header.find(best_key(s));
  if (it == c.header.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  // -1 is what a run without a validation split recorded for a metric in [0, 1]
  if (v == -1.0 && s.higher_is_better) return std::nullopt;
  return v;
}

void CheckpointCallback::on_epoch_end(const EpochEvent& e) {
  const Selection s = trainer_.task().selection();
  bool best = !e.validation;  // without validation every epoch is the best so far
  if (e.validation) {
    const double v = e.validation->metric(s.metric);
    best = !best_ || (s.higher_is_better ? v > *best_ : v < *best_);
    if (best) best_ = v;
  }
  Checkpoint ck = trainer_.checkpoint();
  ck.header["epoch"] = e.epoch;
  if (best_)
    ck.header[best_key(s)] = *best_;
  else
    ck.header[best_key(s)] = s.higher_is_better ? nlohmann::json(-1.0) : nlohmann::json(nullptr);
  const std::string prefix = dir_ + "/";
  save_checkpoint(prefix + "epoch-" + std::to_string(e.epoch) + ".ckpt", ck);
  save_checkpoint(prefix + "last.ckpt", ck);
  if (best) save_checkpoint(prefix + "best.ckpt", ck);
  const int64_t stale = e.epoch - keep_last_;
  if (stale >= 1) std::filesystem::remove(prefix + "epoch-" + std::to_string(stale) + ".ckpt");
}

}  // namespace occam::train
