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
#include "occam/app/session.h"
#include "occam/config/build.h"
#include "occam/config/node.h"
#include "occam/regularize/gradient_norm.h"
#include "occam/tensor/threads.h"
#include "occam/train/callbacks.h"
#include "occam/train/fit.h"
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
  for (int k = 2; fs::exists(dir); ++k)
    dir = (fs::path(out) / (name + "-" + std::to_string(k))).string();
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

// Σ of the data terms (a detector has two), for the console's "data" column.
double data_sum(const std::vector<train::NamedValue>& terms, size_t data_terms) {
  double s = 0;
  for (size_t i = 0; i < data_terms && i < terms.size(); ++i) s += terms[i].value;
  return s;
}

json terms_json(const std::vector<train::NamedValue>& terms) {
  json j = json::object();
  for (const auto& t : terms) j[t.name] = t.value;
  return j;
}

// "loss 0.3031 = data 0.2166 + reg 0.0865"
std::string loss_line(const std::vector<train::NamedValue>& terms, size_t data_terms) {
  return "loss " + fixed(term(terms, "total_loss")) + " = data " +
         fixed(data_sum(terms, data_terms)) + " + reg " + fixed(term(terms, "regularization_loss"));
}

// "  acc 0.8937" — the task's metrics on the console (accuracy as "acc").
std::string metrics_line(const std::map<std::string, double>& metrics, bool all) {
  std::string out;
  for (const auto& [name, v] : metrics)
    if (all || name == "accuracy")
      out += "  " + std::string(name == "accuracy" ? "acc" : name) + " " + fixed(v);
  return out;
}

class Progress {
 public:
  Progress(std::ostream& out, bool tty, bool quiet) : out_(out), tty_(tty), quiet_(quiet) {}
  void step(int64_t epoch, int64_t epochs, int64_t batch, int64_t batches, double samples_per_s,
            const std::vector<train::NamedValue>& terms, size_t data_terms) {
    if (!tty_ || quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    if (batch != batches && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const int width = 24;
    const int filled = int(width * batch / std::max<int64_t>(1, batches));
    const double eta =
        samples_per_s > 0 ? double(batches - batch) * batch_size_ / samples_per_s : 0;
    out_ << "\r\033[Kepoch " << epoch << "/" << epochs << " [" << std::string(size_t(filled), '=')
         << std::string(size_t(width - filled), ' ') << "] " << batch << "/" << batches << " ETA "
         << fixed(eta, 0) << "s " << fixed(samples_per_s / 1000, 1) << "k samples/s  data "
         << fixed(data_sum(terms, data_terms)) << " + reg "
         << fixed(term(terms, "regularization_loss")) << " = " << fixed(term(terms, "total_loss"))
         << std::flush;
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

// The console: the progress bar (on a terminal) and one line per epoch.
class ConsoleCallback final : public train::Callback {
 public:
  ConsoleCallback(std::ostream& out, bool tty, bool quiet, int64_t epochs, int64_t batch_size,
                  size_t data_terms)
      : out_(out),
        progress_(out, tty, quiet),
        quiet_(quiet),
        epochs_(epochs),
        data_terms_(data_terms) {
    progress_.batch_size_ = batch_size;
  }
  void on_step(const train::StepEvent& e) override {
    const double sps = e.epoch_seconds > 0 ? double(e.epoch_samples) / e.epoch_seconds : 0;
    progress_.step(e.epoch, epochs_, e.batch, e.batches, sps, e.result.terms, data_terms_);
  }
  void on_epoch_end(const train::EpochEvent& e) override {
    progress_.end_line();
    samples_per_s = e.seconds > 0 ? double(e.samples) / e.seconds : 0;
    last_train_terms = terms_json(e.terms);
    std::string line = "epoch " + std::to_string(e.epoch) + "/" + std::to_string(epochs_) +
                       "  train " + loss_line(e.terms, data_terms_) + metrics_line(e.metrics, true);
    if (e.validation) {
      last_val = {{"terms", terms_json(e.validation->terms)}};
      for (const auto& [name, v] : e.validation->metrics)
        if (name == "accuracy") last_val[name] = v;
      line += "  | val " + loss_line(e.validation->terms, data_terms_) +
              metrics_line(e.validation->metrics, false);
    }
    line += "  | " + fixed(samples_per_s / 1000, 1) + "k samples/s, " + fixed(e.seconds, 1) + " s";
    if (!quiet_) out_ << line << "\n" << std::flush;
  }
  double samples_per_s = 0;
  json last_train_terms, last_val;

 private:
  std::ostream& out_;
  Progress progress_;
  bool quiet_;
  int64_t epochs_;
  size_t data_terms_;
};

// run.json, written once the first step has built the objective (its terms are the run's).
class RunInfoCallback final : public train::Callback {
 public:
  RunInfoCallback(std::string path, Session& session) : path_(std::move(path)), session_(session) {}
  void on_step(const train::StepEvent& e) override {
    if (written_) return;
    write_json(path_, describe_run(session_.config, *session_.model, *session_.optimizer,
                                   session_.data, e.result));
    written_ = true;
  }

 private:
  std::string path_;
  Session& session_;
  bool written_ = false;
};

// The config a run trains: the given file, the embedded default, or the run being resumed
// (whose run.json knows how many epochs it was asked for); --epochs overrides.
struct ChosenConfig {
  config::RunConfig config;
  std::string text;
};

ChosenConfig choose_config(const TrainArgs& args) {
  ChosenConfig c;
  if (!args.resume.empty()) {
    if (!fs::is_directory(args.resume))
      throw Error(args.resume + ": no such run directory to resume");
    const std::string path = args.resume + "/config.yaml";
    c.text = read_text(path);
    c.config = config::read_run_config(config::ConfigNode::load_string(c.text, path));
    c.config.source = path;
    try {
      c.config.training.epochs =
          json::parse(read_text(args.resume + "/run.json")).at("epochs").get<int64_t>();
    } catch (const json::exception& e) {
      throw Error(args.resume + "/run.json: unreadable (" + std::string(e.what()) + ")");
    }
  } else if (args.config.empty()) {
    c.config = config::default_run_config();
    c.text = config::default_config_text();
  } else {
    c.config = config::load_run_config(args.config);
    c.text = read_text(args.config);
  }
  if (args.epochs) {
    if (*args.epochs < 1)
      throw ConfigError("--epochs: expected an integer >= 1, got " + std::to_string(*args.epochs));
    c.config.training.epochs = *args.epochs;
  }
  return c;
}

// A fresh run directory with its config and TensorBoard header, or the resumed run restored
// from its last checkpoint. Returns the first epoch to train.
int64_t start_run(const TrainArgs& args, const ChosenConfig& chosen, Session& session,
                  std::string& dir, std::optional<double>& best) {
  train::Trainer& trainer = *session.trainer;
  if (args.resume.empty()) {
    dir = unique_run_dir(args.out, args.name.empty() ? chosen.config.name : args.name);
    train::write_file_atomically(dir + "/config.yaml", chosen.text);
    return 1;
  }
  dir = args.resume;
  const auto checkpoint = train::load_checkpoint(dir + "/checkpoints/last.ckpt");
  trainer.restore(checkpoint);
  best = train::CheckpointCallback::best_of(checkpoint, trainer.task().selection());
  const int64_t first_epoch = checkpoint.header.value("epoch", int64_t(0)) + 1;
  if (first_epoch > session.config.training.epochs)
    throw Error(dir + ": already trained " + std::to_string(first_epoch - 1) +
                " epochs (pass --epochs N with N > " + std::to_string(first_epoch - 1) +
                " to train more)");
  return first_epoch;
}

void write_header(train::RunLogger& logger, const config::RunConfig& cfg,
                  const std::string& config_text) {
  tensorboard::HParams hp{{"optimizer", std::string(config::to_string(cfg.optimizer.kind))},
                          {"lr", double(config::base_lr(cfg.schedule))},
                          {"batch_size", double(cfg.training.batch_size)},
                          {"epochs", double(cfg.training.epochs)},
                          {"seed", double(cfg.seed)},
                          {"convention", std::string(regularize::to_string(cfg.convention))}};
  logger.hparams(hp);
  logger.text("config", "```yaml\n" + config_text + "\n```", 0);
}

void print_start(std::ostream& out, const Session& s) {
  const config::RunConfig& cfg = s.config;
  out << "occam: training " << cfg.name << " (" << cfg.source << "), " << s.data.train->size()
      << " train / " << s.data.validation->size() << " val / " << s.data.test->size()
      << " test samples, " << cfg.training.epochs << " epochs, " << cfg.threads << " threads\n";
  for (nn::Parameter* p : s.model->parameters())
    if (p->regularizer && !p->trainable)
      out << "note: " << p->name << " has a regularizer (" << p->regularizer->formula()
          << ") but is not trainable: it is not a term of the objective\n";
  const optim::WeightDecay wd = s.optimizer->describe_weight_decay();
  if (wd.kind != optim::WeightDecayKind::none)
    out << "note: weight decay acts in the optimizer, not in total_loss: " << wd.formula << "\n";
}

// The test split after training, and summary.json.
void finish_run(const TrainArgs& args, Session& s, const std::string& dir, train::RunLogger& logger,
                const ConsoleCallback& console, double wall, std::ostream& out) {
  train::Trainer& trainer = *s.trainer;
  const size_t data_terms = s.task->data_terms().size();
  json summary;
  summary["epochs"] = s.config.training.epochs;
  summary["steps"] = trainer.step();
  summary["train_samples_per_s_last_epoch"] = console.samples_per_s;
  summary["train_terms_last_epoch"] = console.last_train_terms;
  if (!console.last_val.is_null()) summary["validation"] = console.last_val;
  if (s.data.test->size() > 0) {
    const auto t = trainer.evaluate(*s.data.test, s.config.training.eval_batch_size);
    logger.log(
        train::eval_point(trainer.step(), s.config.training.epochs, "test", t, trainer.lr()));
    for (const auto& [name, v] : t.metrics)
      summary["test_" + (name == "top5" ? std::string("top5") : name)] = v;
    summary["final_terms"] = terms_json(t.terms);
    if (!args.quiet)
      out << "test  " << loss_line(t.terms, data_terms) << metrics_line(t.metrics, false) << "\n";
  }
  double previous_wall = 0;
  if (!args.resume.empty()) {
    try {
      previous_wall = json::parse(read_text(dir + "/summary.json")).value("wall_s", 0.0);
    } catch (const std::exception&) {
    }
  }
  summary["wall_s"] = previous_wall + wall;
  write_json(dir + "/summary.json", summary);
}

}  // namespace

std::string run_train(const TrainArgs& args, std::ostream& out) {
  const auto t0 = std::chrono::steady_clock::now();
  const ChosenConfig chosen = choose_config(args);
  const auto session = open_session(chosen.config);
  Session& s = *session;
  train::Trainer& trainer = *s.trainer;

  std::string dir;
  std::optional<double> best;
  const int64_t first_epoch = start_run(args, chosen, s, dir, best);
  train::RunLogger logger(dir, trainer.step());
  if (args.resume.empty()) write_header(logger, s.config, chosen.text);
  if (!args.quiet) print_start(out, s);

  const bool tty = !args.quiet && ::isatty(STDOUT_FILENO) && &out == &std::cout;
  const config::RunConfig& cfg = s.config;
  RunInfoCallback info(dir + "/run.json", s);
  train::RunLogCallback log(logger, trainer, cfg.logging.histograms_every_steps);
  ConsoleCallback console(out, tty, args.quiet, cfg.training.epochs, cfg.training.batch_size,
                          s.task->data_terms().size());
  train::CheckpointCallback checkpoints(dir + "/checkpoints", trainer, cfg.logging.keep_checkpoints,
                                        best);
  train::Callback* callbacks[] = {&info, &log, &console, &checkpoints};

  train::FitOptions fit;
  fit.first_epoch = first_epoch;
  fit.epochs = cfg.training.epochs;
  fit.max_batches = args.max_batches.value_or(0);
  fit.measure_every = cfg.logging.every_steps;
  fit.validation = s.data.validation.get();
  fit.eval_batch_size = cfg.training.eval_batch_size;
  data::Batcher batcher = s.train_batcher();
  try {
    train::fit(trainer, batcher, fit, callbacks);
  } catch (const train::DivergenceError&) {
    logger.finish(false);
    throw;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  finish_run(args, s, dir, logger, console, wall, out);
  logger.finish(true);
  return dir;
}

}  // namespace occam::app
