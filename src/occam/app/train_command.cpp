#include "occam/app/train_command.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>

#include "occam/app/run_info.h"
#include "occam/app/splits.h"
#include "occam/config/build.h"
#include "occam/config/node.h"
#include "occam/regularize/gradient_norm.h"
#include "occam/tensor/threads.h"
#include "occam/train/metrics.h"
#include "occam/train/run_logger.h"
#include "occam/train/trainer.h"

namespace occam::app {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string unique_run_dir(const std::string& out, const std::string& name) {
  fs::create_directories(out);
  std::string dir = (fs::path(out) / name).string();
  for (int k = 2; fs::exists(dir); ++k) dir = (fs::path(out) / (name + "-" + std::to_string(k))).string();
  fs::create_directories(dir);
  return dir;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_json(const std::string& path, const json& j) {
  train::write_file_atomically(path, j.dump(2) + "\n");
}

std::string fixed(double v, int digits = 4) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

double term(const std::vector<train::NamedValue>& terms, const std::string& name) {
  for (const auto& t : terms)
    if (t.name == name) return t.value;
  return NAN;
}

// Epoch means of the step terms, weighted by batch size (as Keras' History).
struct EpochMeans {
  std::vector<std::string> names;
  std::vector<train::RunningMean> means;
  int64_t correct = 0, count = 0;
  void add(const train::StepResult& r) {
    if (names.empty())
      for (const auto& t : r.terms) {
        names.push_back(t.name);
        means.emplace_back();
      }
    for (size_t i = 0; i < r.terms.size() && i < means.size(); ++i) means[i].add(r.terms[i].value, r.count);
    correct += r.correct;
    count += r.count;
  }
  std::vector<train::NamedValue> values() const {
    std::vector<train::NamedValue> out;
    for (size_t i = 0; i < names.size(); ++i) out.push_back({names[i], float(means[i].mean())});
    return out;
  }
};

train::LogPoint eval_point(int64_t step, int64_t epoch, const std::string& split, const train::EvalResult& r, float lr) {
  train::LogPoint p;
  p.step = step;
  p.epoch = epoch;
  p.split = split;
  p.terms = r.terms;
  p.metrics = {{"accuracy", r.accuracy}, {"top5", r.top5}};
  p.lr = lr;
  return p;
}

json terms_json(const std::vector<train::NamedValue>& terms) {
  json j = json::object();
  for (const auto& t : terms) j[t.name] = t.value;
  return j;
}

class Progress {
 public:
  Progress(std::ostream& out, bool tty, bool quiet) : out_(out), tty_(tty), quiet_(quiet) {}
  void step(int64_t epoch, int64_t epochs, int64_t batch, int64_t batches, double samples_per_s,
            const std::vector<train::NamedValue>& terms) {
    if (!tty_ || quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    if (batch != batches && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const int width = 24;
    const int filled = int(width * batch / std::max<int64_t>(1, batches));
    const double eta = samples_per_s > 0 ? double(batches - batch) * batch_size_ / samples_per_s : 0;
    out_ << "\r\033[Kepoch " << epoch << "/" << epochs << " [" << std::string(size_t(filled), '=')
         << std::string(size_t(width - filled), ' ') << "] " << batch << "/" << batches << " ETA "
         << fixed(eta, 0) << "s " << fixed(samples_per_s / 1000, 1) << "k samples/s  data "
         << fixed(terms.front().value) << " + reg " << fixed(term(terms, "regularization_loss"))
         << " = " << fixed(term(terms, "total_loss")) << std::flush;
  }
  void end_line() {
    if (tty_ && !quiet_) out_ << "\r\033[K";
  }
  int64_t batch_size_ = 128;

 private:
  std::ostream& out_;
  bool tty_, quiet_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

std::string run_train(const TrainArgs& args, std::ostream& out) {
  const auto t0 = std::chrono::steady_clock::now();
  // ---- config: the given file, the embedded default, or the run being resumed ----
  config::RunConfig cfg;
  std::string config_text;
  json resumed_info;
  if (!args.resume.empty()) {
    if (!fs::is_directory(args.resume)) throw Error(args.resume + ": no such run directory to resume");
    const std::string path = args.resume + "/config.yaml";
    config_text = read_text(path);
    cfg = config::read_run_config(config::ConfigNode::load_string(config_text, path));
    cfg.source = path;
    try {
      resumed_info = json::parse(read_text(args.resume + "/run.json"));
      cfg.training.epochs = resumed_info.at("epochs").get<int64_t>();
    } catch (const json::exception& e) {
      throw Error(args.resume + "/run.json: unreadable (" + std::string(e.what()) + ")");
    }
  } else if (args.config.empty()) {
    cfg = config::default_run_config();
    config_text = config::default_config_text();
  } else {
    cfg = config::load_run_config(args.config);
    config_text = read_text(args.config);
  }
  if (args.epochs) {
    if (*args.epochs < 1) throw ConfigError("--epochs: expected an integer >= 1, got " + std::to_string(*args.epochs));
    cfg.training.epochs = *args.epochs;
  }
  set_num_threads(cfg.threads);

  // ---- data, model, optimizer ----
  Splits data = load_splits(cfg);
  Rng init_rng(cfg.seed);
  auto model = config::build_model(cfg.model, cfg.convention, init_rng);
  auto optimizer = config::build_optimizer(cfg.optimizer, model->parameters());
  config::resolve_schedule(cfg, (data.train.size() + cfg.training.batch_size - 1) / cfg.training.batch_size);
  auto schedule = optim::make_schedule(cfg.schedule);
  train::Trainer trainer(*model, *optimizer, [s = schedule.get()](int64_t k) { return s->lr_at(k); },
                         train::ClassificationTask{cfg.training.label_smoothing},
                         train::TrainerOptions{cfg.training.fused_regularizers, true}, Rng(cfg.seed + 1));

  // ---- run directory ----
  std::string dir;
  int64_t first_epoch = 1;
  double best_val = -1;
  if (!args.resume.empty()) {
    dir = args.resume;
    const auto checkpoint = train::load_checkpoint(dir + "/checkpoints/last.ckpt");
    trainer.restore(checkpoint);
    first_epoch = checkpoint.header.value("epoch", int64_t(0)) + 1;
    best_val = checkpoint.header.value("best_val_accuracy", -1.0);
    if (first_epoch > cfg.training.epochs)
      throw Error(dir + ": already trained " + std::to_string(first_epoch - 1) + " epochs (pass --epochs N with N > " +
                  std::to_string(first_epoch - 1) + " to train more)");
  } else {
    dir = unique_run_dir(args.out, args.name.empty() ? cfg.name : args.name);
    train::write_file_atomically(dir + "/config.yaml", config_text);
  }
  fs::create_directories(dir + "/checkpoints");
  json info = describe_run(cfg, *model, *optimizer, data.train.size(), data.validation.size(), data.test.size());
  write_json(dir + "/run.json", info);

  train::RunLogger logger(dir, trainer.step());
  if (args.resume.empty()) {
    tensorboard::HParams hp{{"optimizer", std::string(config::to_string(cfg.optimizer.kind))},
                            {"lr", double(config::base_lr(cfg.schedule))},
                            {"batch_size", double(cfg.training.batch_size)},
                            {"epochs", double(cfg.training.epochs)},
                            {"seed", double(cfg.seed)},
                            {"convention", std::string(regularize::to_string(cfg.convention))}};
    logger.hparams(hp);
    logger.text("config", "```yaml\n" + config_text + "\n```", 0);
  }

  const bool tty = !args.quiet && ::isatty(STDOUT_FILENO) && &out == &std::cout;
  Progress progress(out, tty, args.quiet);
  progress.batch_size_ = cfg.training.batch_size;
  if (!args.quiet)
    out << "occam: training " << cfg.name << " (" << cfg.source << "), " << data.train.size() << " train / "
        << data.validation.size() << " val / " << data.test.size() << " test samples, " << cfg.training.epochs
        << " epochs, " << cfg.threads << " threads\n";

  const optim::WeightDecay weight_decay = optimizer->describe_weight_decay();
  if (!args.quiet) {
    for (const auto& f : info.at("frozen_regularized"))
      out << "note: " << f.at("parameter").get<std::string>() << " has a regularizer (" << f.at("formula").get<std::string>()
          << ") but is not trainable: it is not a term of the objective\n";
    if (weight_decay.kind != optim::WeightDecayKind::none)
      out << "note: weight decay acts in the optimizer, not in total_loss: " << weight_decay.formula << "\n";
  }

  data::Batcher batcher(data.train, data::BatcherConfig{cfg.training.batch_size, true, false}, Rng(cfg.seed + 2));
  data::Batch batch;
  json last_train_terms, last_val;
  double train_sps = 0;
  int64_t epoch = first_epoch - 1;
  try {
    for (epoch = first_epoch; epoch <= cfg.training.epochs; ++epoch) {
      batcher.start_epoch(epoch - 1);
      EpochMeans means;
      const auto e0 = std::chrono::steady_clock::now();
      int64_t b = 0;
      const int64_t batches = args.max_batches ? std::min(*args.max_batches, batcher.batches_per_epoch())
                                               : batcher.batches_per_epoch();
      while (b < batches && batcher.next(batch)) {
        ++b;
        const bool log_now = trainer.step() % cfg.logging.every_steps == 0;
        const float lr = trainer.lr();
        train::StepResult r = trainer.train_step(batch.inputs, batch.labels, log_now);
        means.add(r);
        if (log_now) {
          train::LogPoint p{.step = trainer.step(),
                            .epoch = epoch,
                            .split = "train",
                            .terms = r.terms,
                            .metrics = {{"accuracy", double(r.correct) / double(r.count)}},
                            .lr = lr,
                            .grad_norms = r.grad_norms,
                            .weight_norms = train::weight_norms(*model),
                            .constraints = r.constraints,
                            .outside_objective = {}};
          if (weight_decay.kind != optim::WeightDecayKind::none) {
            double sum_sq = 0;  // over the parameters the decay acts on: every trainable one
            for (nn::Parameter* prm : model->parameters())
              if (prm->trainable) sum_sq += p.weight_norms[prm->name] * p.weight_norms[prm->name];
            if (weight_decay.kind == optim::WeightDecayKind::coupled)
              p.outside_objective["implied_l2"] = weight_decay.coefficient / 2 * sum_sq;
            else
              p.outside_objective["weight_decay_shrink"] =
                  (weight_decay.scaled_by_lr ? lr : 1.f) * weight_decay.coefficient * sum_sq;
          }
          logger.log(p);
        }
        const int64_t every_h = cfg.logging.histograms_every_steps;
        if (every_h > 0 && (trainer.step() - 1) % every_h == 0)
          for (nn::Parameter* prm : model->parameters()) {
            logger.histogram("Parameters/" + prm->name, prm->data().span(), trainer.step());
            if (prm->value.grad().defined())
              logger.histogram("Gradients/" + prm->name, prm->value.grad().span(), trainer.step());
          }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
        progress.step(epoch, cfg.training.epochs, b, batches, secs > 0 ? double(means.count) / secs : 0, r.terms);
      }
      const double epoch_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
      train_sps = epoch_s > 0 ? double(means.count) / epoch_s : 0;
      progress.end_line();
      const auto train_terms = means.values();
      last_train_terms = terms_json(train_terms);
      const double train_acc = means.count ? double(means.correct) / double(means.count) : 0;

      std::string line = "epoch " + std::to_string(epoch) + "/" + std::to_string(cfg.training.epochs) +
                         "  train loss " + fixed(term(train_terms, "total_loss")) + " = data " +
                         fixed(train_terms.front().value) + " + reg " +
                         fixed(term(train_terms, "regularization_loss")) + "  acc " + fixed(train_acc);
      double val_acc = -1;
      if (data.validation.size() > 0) {
        const auto v = trainer.evaluate(data.validation, cfg.training.eval_batch_size);
        val_acc = v.accuracy;
        logger.log(eval_point(trainer.step(), epoch, "val", v, trainer.lr()));
        last_val = {{"terms", terms_json(v.terms)}, {"accuracy", v.accuracy}};
        line += "  | val loss " + fixed(term(v.terms, "total_loss")) + " = data " + fixed(v.terms.front().value) +
                " + reg " + fixed(term(v.terms, "regularization_loss")) + "  acc " + fixed(v.accuracy);
      }
      line += "  | " + fixed(train_sps / 1000, 1) + "k samples/s, " + fixed(epoch_s, 1) + " s";
      if (!args.quiet) out << line << "\n" << std::flush;

      // ---- checkpoints: epoch-k (keep the last K), last, best (by validation accuracy) ----
      train::Checkpoint ck = trainer.checkpoint();
      ck.header["epoch"] = epoch;
      const bool best = val_acc > best_val;
      if (best) best_val = val_acc;
      ck.header["best_val_accuracy"] = best_val;
      const std::string cdir = dir + "/checkpoints/";
      train::save_checkpoint(cdir + "epoch-" + std::to_string(epoch) + ".ckpt", ck);
      train::save_checkpoint(cdir + "last.ckpt", ck);
      if (best || data.validation.size() == 0) train::save_checkpoint(cdir + "best.ckpt", ck);
      const int64_t stale = epoch - cfg.logging.keep_checkpoints;
      if (stale >= 1) fs::remove(cdir + "epoch-" + std::to_string(stale) + ".ckpt");
      logger.flush();
    }
  } catch (const train::DivergenceError&) {
    logger.finish(false);
    throw;
  }

  // ---- test split and summary ----
  json summary;
  summary["epochs"] = cfg.training.epochs;
  summary["steps"] = trainer.step();
  summary["train_samples_per_s_last_epoch"] = train_sps;
  summary["train_terms_last_epoch"] = last_train_terms;
  if (!last_val.is_null()) summary["validation"] = last_val;
  if (data.test.size() > 0) {
    const auto t = trainer.evaluate(data.test, cfg.training.eval_batch_size);
    logger.log(eval_point(trainer.step(), cfg.training.epochs, "test", t, trainer.lr()));
    summary["test_accuracy"] = t.accuracy;
    summary["test_top5"] = t.top5;
    summary["final_terms"] = terms_json(t.terms);
    if (!args.quiet)
      out << "test  loss " << fixed(term(t.terms, "total_loss")) << " = data " << fixed(t.terms.front().value)
          << " + reg " << fixed(term(t.terms, "regularization_loss")) << "  acc " << fixed(t.accuracy) << "\n";
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double previous_wall = 0;
  if (!args.resume.empty()) {
    try {
      previous_wall = json::parse(read_text(dir + "/summary.json")).value("wall_s", 0.0);
    } catch (const std::exception&) {
    }
  }
  summary["wall_s"] = previous_wall + wall;
  write_json(dir + "/summary.json", summary);
  logger.finish(true);
  return dir;
}

}  // namespace occam::app
