#include "occam/app/bench_command.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "occam/app/splits.h"
#include "occam/config/build.h"
#include "occam/config/node.h"
#include "occam/tensor/kernel_time.h"
#include "occam/tensor/storage.h"
#include "occam/tensor/threads.h"
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

std::string run_bench(const BenchArgs& a) {
  if (a.max_batches < 0 || a.warmup_batches < 0)
    throw ConfigError("bench: --max-batches and warm-up must be >= 0");
  const std::string yaml = bench_config_yaml(a);
  config::RunConfig cfg =
      config::read_run_config(config::ConfigNode::load_string(yaml, "bench:" + a.model));
  set_num_threads(cfg.threads);

  const auto t_load = Clock::now();
  Splits data = load_splits(cfg);
  const double load_s = std::chrono::duration<double>(Clock::now() - t_load).count();

  // The same construction as `occam train`: model from the config, its optimizer, the Trainer.
  Rng init_rng(cfg.seed);
  auto model = config::build_model(cfg.model, cfg.convention, init_rng);
  auto optimizer = config::build_optimizer(cfg.optimizer, model->parameters());
  auto schedule = optim::make_schedule(cfg.schedule);
  train::Trainer trainer(*model, *optimizer, [s = schedule.get()](int64_t k) { return s->lr_at(k); },
                         train::ClassificationTask{cfg.training.label_smoothing},
                         train::TrainerOptions{cfg.training.fused_regularizers, true}, Rng(cfg.seed + 1));
  int64_t params = 0;
  for (nn::Parameter* p : model->parameters()) params += p->numel();

  data::Batcher batcher(data.train, data::BatcherConfig{cfg.training.batch_size, true, false},
                        Rng(cfg.seed + 2));
  data::Batch batch;
  json epochs = json::array();
  std::vector<double> steady_sps, infer_sps;
  json test_acc = json::array();
  double ph_data = 0, ph_forward = 0, ph_backward = 0, ph_optimizer = 0;
  int64_t steady_steps = 0;
  long steady_minflt = 0;
  kernels::KernelTime in_steps;  // GEMM and convolution kernels during the steady steps

  for (int64_t epoch = 1; epoch <= cfg.training.epochs; ++epoch) {
    batcher.start_epoch(epoch - 1);
    const int64_t nb = a.max_batches > 0 ? std::min(a.max_batches, batcher.batches_per_epoch())
                                         : batcher.batches_per_epoch();
    double loss_sum = 0, reg_last = 0;
    int64_t steady_samples = 0;
    const auto t_epoch = Clock::now();
    Clock::time_point t_steady{};
    long flt0 = 0;
    kernels::KernelTime k0;
    for (int64_t b = 0; b < nb; ++b) {
      if (b == a.warmup_batches) {
        t_steady = Clock::now();
        flt0 = minor_faults();
        k0 = kernels::kernel_time();
      }
      const bool steady = b >= a.warmup_batches;
      const auto t_data = Clock::now();
      if (!batcher.next(batch)) break;
      const double data_s = std::chrono::duration<double>(Clock::now() - t_data).count();
      const train::StepResult r = trainer.train_step(batch.inputs, batch.labels, false);
      if (steady) {
        ph_data += data_s;
        ph_forward += r.times.forward;
        ph_backward += r.times.backward;
        ph_optimizer += r.times.optimizer;
        steady_samples += batch.size();
        ++steady_steps;
      }
      loss_sum += r.terms.front().value;  // classification_loss
      for (const auto& t : r.terms)
        if (t.name == "regularization_loss") reg_last = t.value;
    }
    const auto t_end = Clock::now();
    const bool has_steady = nb > a.warmup_batches;
    if (has_steady) {
      steady_minflt += minor_faults() - flt0;
      const kernels::KernelTime k1 = kernels::kernel_time();
      in_steps.gemm_seconds += k1.gemm_seconds - k0.gemm_seconds;
      in_steps.conv_seconds += k1.conv_seconds - k0.conv_seconds;
      in_steps.gemm_flop += k1.gemm_flop - k0.gemm_flop;
      in_steps.conv_flop += k1.conv_flop - k0.conv_flop;
    }
    json rec;
    rec["epoch"] = epoch;
    rec["steps"] = nb;
    rec["wall_s"] = rounded(std::chrono::duration<double>(t_end - t_epoch).count(), 3);
    if (has_steady) {
      const double sps = double(steady_samples) / std::chrono::duration<double>(t_end - t_steady).count();
      steady_sps.push_back(sps);
      rec["train_sps_steady"] = rounded(sps, 1);
    } else {
      rec["train_sps_steady"] = nullptr;
    }
    rec["mean_data_loss"] = rounded(loss_sum / double(std::max<int64_t>(nb, 1)), 5);
    rec["reg_loss_last"] = rounded(reg_last, 5);
    if (!a.no_eval) {
      const auto t_eval = Clock::now();
      const train::EvalResult e = trainer.evaluate(data.test, cfg.training.eval_batch_size);
      const double sps = double(e.count) / std::chrono::duration<double>(Clock::now() - t_eval).count();
      rec["test_acc"] = rounded(e.accuracy, 4);
      rec["infer_sps"] = rounded(sps, 1);
      test_acc.push_back(rounded(e.accuracy, 4));
      infer_sps.push_back(sps);
    } else {
      test_acc.push_back(nullptr);
    }
    epochs.push_back(rec);
  }

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const int64_t fps = train_flops_per_sample(a.model);
  const double med = median(steady_sps);
  const double per_step = 1e3 / double(std::max<int64_t>(steady_steps, 1));
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
  out["train_sps_steady_median"] = steady_sps.empty() ? json(nullptr) : json(rounded(med, 1));
  out["train_gflops_achieved"] =
      steady_sps.empty() ? json(nullptr) : json(rounded(med * double(fps) / 1e9, 2));
  out["infer_sps_median"] = infer_sps.empty() ? json(nullptr) : json(rounded(median(infer_sps), 1));
  out["test_acc_by_epoch"] = test_acc;
  out["phase_ms_per_step"] = {{"data", rounded(ph_data * per_step, 3)},
                              {"forward", rounded(ph_forward * per_step, 3)},
                              {"backward", rounded(ph_backward * per_step, 3)},
                              {"optimizer", rounded(ph_optimizer * per_step, 3)}};
  out["minflt_per_steady_step"] =
      rounded(double(steady_minflt) / double(std::max<int64_t>(steady_steps, 1)), 1);
  out["epochs_detail"] = epochs;
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
  out["kernel_ms_per_step"] = {{"gemm", rounded(in_steps.gemm_seconds * per_step, 3)},
                               {"conv", rounded(in_steps.conv_seconds * per_step, 3)}};
  out["kernel_gflops_in_step"] = {{"gemm", rate(in_steps.gemm_flop, in_steps.gemm_seconds)},
                                  {"conv", rate(in_steps.conv_flop, in_steps.conv_seconds)}};
  const StorageStats storage = storage_stats();
  out["tensor_cache_mb"] = rounded(double(storage.cached_bytes) / 1048576.0, 1);
  out["l2"] = a.l2;
  out["fused_regularizers"] = a.fused_regularizers;
  out["omp_threads"] = num_threads();
  return out.dump();
}

}  // namespace occam::app
