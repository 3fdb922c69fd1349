// `occam bench --model mlp|cnn --threads N [--epochs N] [--max-batches N] [--no-eval]`: trains the
// two reference models of bench/ (the same models, data and semantics as
// ../shared/bench/torch_ref.py) through Occam's normal path — YAML config → build_model →
// Trainer::train_step with its named Objective terms → optimizer — and returns ONE JSON line
// with torch_ref.py's keys (train_sps_steady_median, infer_sps_median, test_acc_by_epoch,
// phase_ms_per_step, peak_rss_mb_self, ...), so bench/compare.sh can put them side by side.
//   MLP 784-512-256-10 relu, dropout 0.2 after fc1, SGD(lr 0.05, momentum 0.9)
//   CNN conv32(3x3)-relu-conv64(3x3)-relu-maxpool2-dropout0.25-flatten-fc128-relu-dropout0.5-fc10,
//       Adam(lr 1e-3, eps 1e-8)
//   both: L2 1e-4·Σw² on every kernel (keras), glorot_uniform kernels, zero biases, batch 128,
//   the last partial batch included, pixels/255, the whole 60k training set shuffled each epoch.
// Throughput "steady" excludes the first warmup_batches steps of every epoch, as torch_ref.py.
#pragma once

#include <cstdint>
#include <string>

namespace occam::app {

struct BenchArgs {
  std::string model = "mlp";  // "mlp" or "cnn"
  int threads = 2;            // >= 1
  int64_t epochs = 1;         // >= 1
  int64_t max_batches = 0;    // per epoch; 0 = the whole epoch
  bool no_eval = false;       // skip the test-set pass after each epoch
  int64_t batch = 128;
  int64_t eval_batch = 128;
  int64_t warmup_batches = 10;  // steps excluded at the start of every epoch
  uint64_t seed = 0;
  float l2 = 1e-4f;                // 0: no kernel regularizers at all (to measure their cost)
  bool fused_regularizers = true;  // false: L2 terms through the tape (the generic path)
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
};

// The YAML run config the bench trains (data path and L2 filled in from args).
std::string bench_config_yaml(const BenchArgs& args);

// Runs the benchmark; returns the JSON line (no trailing newline). Progress goes nowhere: the
// caller prints the line. Throws occam::Error (ConfigError for bad arguments, DataError when the
// dataset is missing).
std::string run_bench(const BenchArgs& args);

}  // namespace occam::app
