#include "occam/app/bench_command.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "occam/app/session.h"
#include "occam/config/build.h"
#include "occam/config/node.h"
#include "occam/tensor/kernel_time.h"
#include "occam/tensor/storage.h"
#include "occam/tensor/threads.h"
#include "occam/train/fit.h"
#include "occam/train/trainer.h"

namespace occam::app {

namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// The two models of ../shared/bench/torch_ref.py, as Occam configs. {L2} is replaced by the
// kernel regularizer (or nothing), {DATA} by the data directory.
const char* kMlp = R"(name: bench_mlp
seed: {SEED}
threads: {THREADS}
convention: keras
data: {dataset: fashion_mnist, path: "{DATA}", validation_split: 0}
model:
  input_shape: [1, 28, 28]
  layers:
    - {type: flatten}
    - {type: dense, units: 512, activation: relu{L2}}
    - {type: dropout, rate: 0.2}
    - {type: dense, units: 256, activation: relu{L2}}
    - {type: dense, units: 10{L2}}
optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
training: {epochs: {EPOCHS}, batch_size: {BATCH}, eval_batch_size: {EVAL_BATCH}, fused_regularizers: {FUSED}}
)";

const char* kCnn = R"(name: bench_cnn
seed: {SEED}
threads: {THREADS}
convention: keras
data: {dataset: fashion_mnist, path: "{DATA}", validation_split: 0}
model:
  input_shape: [1, 28, 28]
  layers:
    - {type: conv2d, filters: 32, kernel_size: 3, activation: relu{L2}}
    - {type: conv2d, filters: 64, kernel_size: 3, activation: relu{L2}}
    - {type: max_pool2d, pool_size: 2}
    - {type: dropout, rate: 0.25}
    - {type: flatten}
    - {type: dense, units: 128, activation: relu{L2}}
    - {type: dropout, rate: 0.5}
    - {type: dense, units: 10{L2}}
optimizer: {type: adam, lr: 1.0e-3, eps: 1.0e-8}
training: {epochs: {EPOCHS}, batch_size: {BATCH}, eval_batch_size: {EVAL_BATCH}, fused_regularizers: {FUSED}}
)";

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// torch_ref.py's FLOP counts, so the GFLOP/s columns compare like with like.
int64_t macs_per_sample(const std::string& model) {
  if (model == "mlp") return 784 * 512 + 512 * 256 + 256 * 10;
  const int64_t conv1 = 26 * 26 * 32 * (1 * 9), conv2 = 24 * 24 * 64 * (32 * 9);
  return conv1 + conv2 + 9216 * 128 + 128 * 10;
}
// forward = 2·MACs; backward = 2× forward, except that the first layer needs no dX.
int64_t train_flops_per_sample(const std::string& model) {
  const int64_t first = model == "mlp" ? 784 * 512 : 26 * 26 * 32 * 9;
  return 2 * macs_per_sample(model) * 3 - 2 * first;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double rounded(double v, int digits) {
  const double p = std::pow(10.0, digits);
  return std::round(v * p) / p;
}

json env_value(const char* name) {
  const char* v = std::getenv(name);
  return v ? json(v) : json(nullptr);
}

long minor_faults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

}  // namespace

std::string bench_config_yaml(const BenchArgs& a) {
  if (a.model != "mlp" && a.model != "cnn")
    throw ConfigError("bench: --model must be mlp or cnn, got '" + a.model + "'");
  if (a.threads < 1) throw ConfigError("bench: --threads must be >= 1");
  if (a.epochs < 1) throw ConfigError("bench: --epochs must be >= 1");
  if (a.batch < 1 || a.eval_batch < 1) throw ConfigError("bench: batch sizes must be >= 1");
  if (!(a.l2 >= 0.f)) throw ConfigError("bench: --l2 must be >= 0");
  std::string yaml = a.model == "mlp" ? kMlp : kCnn;
  std::ostringstream l2;
  l2 << a.l2;
  replace_all(yaml, "{L2}", a.l2 > 0 ? ", kernel_regularizer: {l2: " + l2.str() + "}" : "");
  replace_all(yaml, "{DATA}", a.data_dir);
  replace_all(yaml, "{SEED}", std::to_string(a.seed));
  replace_all(yaml, "{THREADS}", std::to_string(a.threads));
  replace_all(yaml, "{EPOCHS}", std::to_string(a.epochs));
  replace_all(yaml, "{BATCH}", std::to_string(a.batch));
  replace_all(yaml, "{EVAL_BATCH}", std::to_string(a.eval_batch));
  replace_all(yaml, "{FUSED}", a.fused_regularizers ? "true" : "false");
  return yaml;
}

namespace {

// Times the steady steps of each epoch (after the warm-up batches): samples/s, the phase split,
// page faults and kernel time; evaluates the test split after each epoch (inference speed).
class BenchCallback final : public train::Callback {
 public:
  BenchCallback(const BenchArgs& a, train::Trainer& trainer, const data::Source& test,
                int64_t eval_batch)
      : a_(a), trainer_(trainer), test_(test), eval_batch_(eval_batch) {}

  void on_epoch_begin(int64_t epoch) override {
    t_epoch_ = Clock::now();
    loss_sum_ = reg_last_ = 0;
    steps_ = steady_samples_ = 0;
    if (a_.warmup_batches == 0) start_steady();
  }
  void on_step(const train::StepEvent& e) override {
    ++steps_;
    const train::StepResult& r = e.result;
    if (e.batch > a_.warmup_batches) {
      ph_data += e.data_seconds;
      ph_forward += r.times.forward;
      ph_backward += r.times.backward;
      ph_optimizer += r.times.optimizer;
      steady_samples_ += r.count;
      ++steady_steps;
    }
    loss_sum_ += r.terms.front().value;  // the first data term
    for (const auto& t : r.terms)
      if (t.name == "regularization_loss") reg_last_ = t.value;
    if (e.batch == a_.warmup_batches) start_steady();
  }
  void on_epoch_end(const train::EpochEvent& e) override {
    const auto t_end = Clock::now();
    json rec;
    rec["epoch"] = e.epoch;
    rec["steps"] = steps_;
    rec["wall_s"] = rounded(std::chrono::duration<double>(t_end - t_epoch_).count(), 3);
    rec["train_sps_steady"] = nullptr;
    if (steady_started_ && steps_ > a_.warmup_batches) {
      steady_minflt += minor_faults() - flt0_;
      const kernels::KernelTime k1 = kernels::kernel_time();
      in_steps.gemm_seconds += k1.gemm_seconds - k0_.gemm_seconds;
      in_steps.conv_seconds += k1.conv_seconds - k0_.conv_seconds;
      in_steps.gemm_flop += k1.gemm_flop - k0_.gemm_flop;
      in_steps.conv_flop += k1.conv_flop - k0_.conv_flop;
      const double sps =
          double(steady_samples_) / std::chrono::duration<double>(t_end - t_steady_).count();
      steady_sps.push_back(sps);
      rec["train_sps_steady"] = rounded(sps, 1);
    }
    rec["mean_data_loss"] = rounded(loss_sum_ / double(std::max<int64_t>(steps_, 1)), 5);
    rec["reg_loss_last"] = rounded(reg_last_, 5);
    if (!a_.no_eval) {
      const auto t_eval = Clock::now();
      const train::EvalResult ev = trainer_.evaluate(test_, eval_batch_);
      const double sps =
          double(ev.count) / std::chrono::duration<double>(Clock::now() - t_eval).count();
      rec["test_acc"] = rounded(ev.metric("accuracy"), 4);
      rec["infer_sps"] = rounded(sps, 1);
      test_acc.push_back(rounded(ev.metric("accuracy"), 4));
      infer_sps.push_back(sps);
    } else {
      test_acc.push_back(nullptr);
    }
    epochs.push_back(rec);
    steady_started_ = false;
  }

  json epochs = json::array(), test_acc = json::array();
  std::vector<double> steady_sps, infer_sps;
  double ph_data = 0, ph_forward = 0, ph_backward = 0, ph_optimizer = 0;
  int64_t steady_steps = 0;
  long steady_minflt = 0;
  kernels::KernelTime in_steps;  // GEMM and convolution kernels during the steady steps

 private:
  void start_steady() {
    t_steady_ = Clock::now();
    flt0_ = minor_faults();
    k0_ = kernels::kernel_time();
    steady_started_ = true;
  }
  const BenchArgs& a_;
  train::Trainer& trainer_;
  const data::Source& test_;
  int64_t eval_batch_;
  Clock::time_point t_epoch_{}, t_steady_{};
  double loss_sum_ = 0, reg_last_ = 0;
  int64_t steps_ = 0, steady_samples_ = 0;
  long flt0_ = 0;
  kernels::KernelTime k0_;
  bool steady_started_ = false;
};

// The JSON line: torch_ref.py's keys, then Occam's own.
json bench_json(const BenchArgs& a, const BenchCallback& b, int64_t params, double load_s) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const int64_t fps = train_flops_per_sample(a.model);
  const double med = median(b.steady_sps);
  const double per_step = 1e3 / double(std::max<int64_t>(b.steady_steps, 1));
  json out;
  out["impl"] = "occam";
  out["torch"] = nullptr;
  out["model"] = a.model;
  out["threads"] = a.threads;
  out["blas_threads"] = nullptr;  // oneDNN runs on Occam's OpenMP pool
  out["omp_wait"] = env_value("OMP_WAIT_POLICY");
  out["blas_coretype"] = nullptr;
  out["torch_threads"] = nullptr;
  out["openblas"] = nullptr;
  out["aten_cpu_capability"] = nullptr;
  out["batch"] = a.batch;
  out["epochs"] = a.epochs;
  out["max_batches"] = a.max_batches;
  out["warmup_batches"] = a.warmup_batches;
  out["seed"] = a.seed;
  out["init"] = "keras";
  out["channels_last"] = false;
  out["params"] = params;
  out["fwd_macs_per_sample"] = macs_per_sample(a.model);
  out["train_flops_per_sample"] = fps;
  out["train_flops_per_sample_3x_fwd"] = 6 * macs_per_sample(a.model);
  out["train_sps_steady_median"] = b.steady_sps.empty() ? json(nullptr) : json(rounded(med, 1));
  out["train_gflops_achieved"] =
      b.steady_sps.empty() ? json(nullptr) : json(rounded(med * double(fps) / 1e9, 2));
  out["infer_sps_median"] =
      b.infer_sps.empty() ? json(nullptr) : json(rounded(median(b.infer_sps), 1));
  out["test_acc_by_epoch"] = b.test_acc;
  out["phase_ms_per_step"] = {{"data", rounded(b.ph_data * per_step, 3)},
                              {"forward", rounded(b.ph_forward * per_step, 3)},
                              {"backward", rounded(b.ph_backward * per_step, 3)},
                              {"optimizer", rounded(b.ph_optimizer * per_step, 3)}};
  out["minflt_per_steady_step"] =
      rounded(double(b.steady_minflt) / double(std::max<int64_t>(b.steady_steps, 1)), 1);
  out["epochs_detail"] = b.epochs;
  out["profile"] = nullptr;
  out["data_load_s"] = rounded(load_s, 3);
  out["peak_rss_mb_self"] = rounded(double(ru.ru_maxrss) / 1024.0, 1);
  json env;
  for (const char* k : {"OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "DNNL_MAX_CPU_ISA",
                        "GLIBC_TUNABLES", "LD_PRELOAD"})
    env[k] = env_value(k);
  out["env"] = env;
  out["env_set"] = nullptr;
  // The GEMM/convolution part of the steady steps (conv time includes its layout reorders).
  const auto rate = [](double flop, double seconds) {
    return seconds > 0 ? json(rounded(flop / seconds / 1e9, 1)) : json(nullptr);
  };
  out["kernel_ms_per_step"] = {{"gemm", rounded(b.in_steps.gemm_seconds * per_step, 3)},
                               {"conv", rounded(b.in_steps.conv_seconds * per_step, 3)}};
  out["kernel_gflops_in_step"] = {{"gemm", rate(b.in_steps.gemm_flop, b.in_steps.gemm_seconds)},
                                  {"conv", rate(b.in_steps.conv_flop, b.in_steps.conv_seconds)}};
  const StorageStats storage = storage_stats();
  out["tensor_cache_mb"] = rounded(double(storage.cached_bytes) / 1048576.0, 1);
  out["l2"] = a.l2;
  out["fused_regularizers"] = a.fused_regularizers;
  out["omp_threads"] = num_threads();
  return out;
}

}  // namespace

std::string run_bench(const BenchArgs& a) {
  if (a.max_batches < 0 || a.warmup_batches < 0)
    throw ConfigError("bench: --max-batches and warm-up must be >= 0");
  const std::string yaml = bench_config_yaml(a);
  const auto t_load = Clock::now();
  // The same construction as `occam train`: a session from the config, then the fit loop.
  const auto session = open_session(
      config::read_run_config(config::ConfigNode::load_string(yaml, "bench:" + a.model)));
  const double load_s = std::chrono::duration<double>(Clock::now() - t_load).count();
  Session& s = *session;
  int64_t params = 0;
  for (nn::Parameter* p : s.model->parameters()) params += p->numel();

  BenchCallback bench(a, *s.trainer, *s.data.test, s.config.training.eval_batch_size);
  train::Callback* callbacks[] = {&bench};
  train::FitOptions fit;
  fit.epochs = s.config.training.epochs;
  fit.max_batches = a.max_batches;
  data::Batcher batcher = s.train_batcher();
  train::fit(*s.trainer, batcher, fit, callbacks);
  return bench_json(a, bench, params, load_s).dump();
}

}  // namespace occam::app
