// Time per training step against batch size and layer width, with the phase split and the share
// of the GEMM/convolution kernels: the scaling note of bench/RESULTS.md. Each step is
// a step of train::fit on a fixed random batch (the normal path: config → model with L2 terms →
// Objective → backward → optimizer); the phase columns leave out the batch copy, the real time
// includes it (a memcpy of one batch).
//   bench/build/micro/step_scaling --benchmark_counters_tabular=true [--benchmark_filter=Mlp]
#include <benchmark/benchmark.h>

#include <string>

#include "occam/cli/wait_policy.h"
#include "occam/config/build.h"
#include "occam/config/node.h"
#include "occam/tensor/kernel_time.h"
#include "occam/tensor/threads.h"
#include "occam/train/fit.h"

namespace {

using namespace occam;

// MLP 784-W-W/2-10 (the reference model has W = 512), or the reference CNN.
std::string mlp_yaml(int64_t width) {
  const std::string w = std::to_string(width), half = std::to_string(width / 2);
  return "model:\n  input_shape: [784]\n  layers:\n"
         "    - {type: dense, units: " +
         w +
         ", activation: relu, kernel_regularizer: {l2: 1.0e-4}}\n"
         "    - {type: dropout, rate: 0.2}\n"
         "    - {type: dense, units: " +
         half +
         ", activation: relu, kernel_regularizer: {l2: 1.0e-4}}\n"
         "    - {type: dense, units: 10, kernel_regularizer: {l2: 1.0e-4}}\n"
         "optimizer: {type: sgd, lr: 0.05, momentum: 0.9}\n";
}

const char* kCnn = R"(model:
  input_shape: [1, 28, 28]
  layers:
    - {type: conv2d, filters: 32, kernel_size: 3, activation: relu, kernel_regularizer: {l2: 1.0e-4}}
    - {type: conv2d, filters: 64, kernel_size: 3, activation: relu, kernel_regularizer: {l2: 1.0e-4}}
    - {type: max_pool2d, pool_size: 2}
    - {type: dropout, rate: 0.25}
    - {type: flatten}
    - {type: dense, units: 128, activation: relu, kernel_regularizer: {l2: 1.0e-4}}
    - {type: dropout, rate: 0.5}
    - {type: dense, units: 10, kernel_regularizer: {l2: 1.0e-4}}
optimizer: {type: adam, lr: 1.0e-3, eps: 1.0e-8}
)";

// Adds up the phase times of the steps the fit loop runs.
struct PhaseTimes final : train::Callback {
  double forward = 0, backward = 0, optimizer = 0;
  void on_step(const train::StepEvent& e) override {
    forward += e.result.times.forward;
    backward += e.result.times.backward;
    optimizer += e.result.times.optimizer;
  }
};

void run_steps(benchmark::State& state, const std::string& yaml, Shape sample, int64_t batch,
               double flop_per_sample) {
  set_num_threads(int(state.range(2)));
  auto cfg = config::read_run_config(config::ConfigNode::load_string(yaml, "step_scaling"));
  Rng rng(0);
  auto model = config::build_model(cfg.model, cfg.convention, rng);
  auto optimizer = config::build_optimizer(cfg.optimizer, model->parameters());
  const float lr = cfg.optimizer.kind == config::OptimizerConfig::Kind::sgd ? 0.05f : 1e-3f;
  train::Trainer trainer(
      *model, *optimizer, [lr](int64_t) { return lr; },
      std::make_shared<train::ClassificationTask>(), {}, Rng(1));
  // One batch of random samples: each epoch of the fit loop is one step on it.
  data::Dataset one_batch;
  sample.insert(sample.begin(), batch);
  one_batch.inputs = Tensor::empty(sample);
  for (float& v : one_batch.inputs.span()) v = rng.uniform();
  one_batch.num_classes = 10;
  one_batch.labels.resize(static_cast<size_t>(batch));
  for (auto& l : one_batch.labels) l = int64_t(rng.below(10));
  data::Batcher batcher(one_batch, {.batch_size = batch, .shuffle = false}, Rng(2));
  PhaseTimes warmup, phases;
  train::Callback* warmup_cb[] = {&warmup};
  train::Callback* callbacks[] = {&phases};
  train::fit(trainer, batcher, {.first_epoch = 1, .epochs = 3}, warmup_cb);  // primitives, caches

  const kernels::KernelTime k0 = kernels::kernel_time();
  int64_t epoch = 3;
  for (auto _ : state) {
    ++epoch;
    train::fit(trainer, batcher, {.first_epoch = epoch, .epochs = epoch}, callbacks);
  }
  const kernels::KernelTime k1 = kernels::kernel_time();
  const double steps = double(state.iterations());
  const double kernel_s = (k1.gemm_seconds - k0.gemm_seconds) + (k1.conv_seconds - k0.conv_seconds);
  const double step_s = phases.forward + phases.backward + phases.optimizer;
  state.SetItemsProcessed(int64_t(steps) * batch);
  state.counters["fwd_ms"] = 1e3 * phases.forward / steps;
  state.counters["bwd_ms"] = 1e3 * phases.backward / steps;
  state.counters["opt_ms"] = 1e3 * phases.optimizer / steps;
  state.counters["kernel_ms"] = 1e3 * kernel_s / steps;
  state.counters["kernel_share"] = kernel_s / step_s;
  state.counters["GFLOP/s"] =
      benchmark::Counter(flop_per_sample * double(batch) * steps, benchmark::Counter::kIsRate);
}

// range(0) = batch, range(1) = width, range(2) = threads
void BM_MlpStep(benchmark::State& state) {
  const int64_t w = state.range(1);
  const double macs = 784.0 * w + double(w) * (w / 2) + (w / 2) * 10.0;
  run_steps(state, mlp_yaml(w), {784}, state.range(0), 6 * macs - 2 * 784.0 * w);
}
BENCHMARK(BM_MlpStep)
    ->ArgNames({"batch", "width", "threads"})
    ->ArgsProduct({{32, 64, 128, 256, 512}, {512}, {1, 2}})
    ->ArgsProduct({{128}, {128, 256, 1024, 2048}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_CnnStep(benchmark::State& state) {
  const double macs = 26 * 26 * 32 * 9.0 + 24 * 24 * 64 * 288.0 + 9216 * 128.0 + 1280;
  run_steps(state, kCnn, {1, 28, 28}, state.range(0), 6 * macs - 2 * 26 * 26 * 32 * 9.0);
}
BENCHMARK(BM_CnnStep)
    ->ArgNames({"batch", "width", "threads"})
    ->ArgsProduct({{16, 32, 64, 128, 256}, {0}, {2}})
    ->Args({128, 0, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);

}  // namespace

int main(int argc, char** argv) {
  occam::cli::use_passive_openmp_wait(argv);  // as the occam command does
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
