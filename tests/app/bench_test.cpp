// `occam bench`: a few steps of each reference model through the normal training path. The JSON
// line carries torch_ref.py's keys, and its numbers are those of a normal run: the data loss,
// the regularization loss and the test accuracy equal what `occam train` computes for the same
// config. Nothing timed is asserted: throughput, phase and kernel times are only required to be
// numbers (or null where torch_ref.py prints null).
#include "occam/app/bench_command.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "occam/config/node.h"
#include "occam/config/run_config.h"
#include "run_fixture.h"
#include "testing/testing.h"

namespace occam::app {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// The keys bench/compare.sh reads, as ../shared/bench/torch_ref.py prints them.
const char* kTorchRefKeys[] = {"impl",
                               "model",
                               "threads",
                               "batch",
                               "epochs",
                               "max_batches",
                               "warmup_batches",
                               "seed",
                               "params",
                               "fwd_macs_per_sample",
                               "train_flops_per_sample",
                               "train_sps_steady_median",
                               "train_gflops_achieved",
                               "infer_sps_median",
                               "test_acc_by_epoch",
                               "phase_ms_per_step",
                               "minflt_per_steady_step",
                               "epochs_detail",
                               "data_load_s",
                               "peak_rss_mb_self"};

json bench(BenchArgs args) { return json::parse(run_bench(args)); }

double rounded(double v, int digits) {
  const double p = std::pow(10.0, digits);
  return std::round(v * p) / p;
}

TEST(Bench, MlpReportsTorchRefKeysAndTheNumbersOfANormalTrainingRun) {
  const BenchArgs args{.model = "mlp", .threads = 2, .max_batches = 4, .warmup_batches = 1};
  const json j = bench(args);
  for (const char* k : kTorchRefKeys) EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["impl"], "occam");
  EXPECT_EQ(j["model"], "mlp");
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["batch"], 128);
  EXPECT_EQ(j["max_batches"], 4);
  EXPECT_EQ(j["params"], 784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10);
  EXPECT_EQ(j["fwd_macs_per_sample"], 784 * 512 + 512 * 256 + 256 * 10);  // torch_ref.py's count
  EXPECT_EQ(j["train_flops_per_sample"], 6 * (784 * 512 + 512 * 256 + 256 * 10) - 2 * 784 * 512);
  for (const char* k : {"train_sps_steady_median", "train_gflops_achieved", "infer_sps_median",
                        "minflt_per_steady_step", "data_load_s", "peak_rss_mb_self"})
    EXPECT_TRUE(j[k].is_number()) << k << " = " << j[k];
  for (const char* phase : {"data", "forward", "backward", "optimizer"})
    EXPECT_TRUE(j["phase_ms_per_step"][phase].is_number()) << phase;
  ASSERT_EQ(j["epochs_detail"].size(), 1u);
  const json& e = j["epochs_detail"][0];
  EXPECT_EQ(e["steps"], 4);
  const double acc = j["test_acc_by_epoch"][0].get<double>();
  EXPECT_GT(acc, 0.2) << "4 SGD steps already beat chance (0.1)";
  EXPECT_LE(acc, 1.0);
  EXPECT_GT(e["mean_data_loss"].get<double>(), 0.5);
  EXPECT_LT(e["mean_data_loss"].get<double>(), 2.5);  // ln 10 = 2.30 at the start

  // The same config trained by `occam train` for the same 4 steps, every step logged.
  testing::TempDir tmp;
  const std::string config =
      testing::write_config(tmp, bench_config_yaml(args) + "logging: {every_steps: 1}\n");
  const std::string dir =
      testing::train_quietly({.config = config, .out = tmp / "runs", .max_batches = 4});
  std::vector<nlohmann::ordered_json> steps;
  nlohmann::ordered_json test;
  for (const auto& line : testing::read_jsonl(dir + "/metrics.jsonl")) {
    if (line["split"] == "train") steps.push_back(line);
    if (line["split"] == "test") test = line;
  }
  ASSERT_EQ(steps.size(), 4u);
  double data_sum = 0;
  for (const auto& s : steps) data_sum += s["terms"]["classification_loss"].get<double>();
  const double reg_last = steps.back()["terms"]["regularization_loss"].get<double>();

  EXPECT_TRUE(std::isfinite(e["mean_data_loss"].get<double>()));
  EXPECT_EQ(e["mean_data_loss"].get<double>(), rounded(data_sum / 4, 5))
      << "mean of the 4 steps' data loss";
  EXPECT_EQ(e["reg_loss_last"].get<double>(), rounded(reg_last, 5))
      << "the 4th step's regularization_loss";
  EXPECT_GT(reg_last, 0.0);  // 1e-4·Σw² of glorot kernels
  ASSERT_FALSE(test.is_null()) << "occam train evaluates the test split at the end";
  EXPECT_EQ(j["test_acc_by_epoch"][0].get<double>(),
            rounded(test["metrics"]["accuracy"].get<double>(), 4));
  EXPECT_EQ(e["test_acc"], j["test_acc_by_epoch"][0]);
}

TEST(Bench, CnnRunsAFewStepsWithoutEvaluation) {
  const json j =
      bench({.model = "cnn", .threads = 2, .max_batches = 3, .no_eval = true, .warmup_batches = 1});
  for (const char* k : kTorchRefKeys) EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["model"], "cnn");
  EXPECT_EQ(j["params"], 32 * 9 + 32 + 64 * 32 * 9 + 64 + 9216 * 128 + 128 + 128 * 10 + 10);
  EXPECT_EQ(j["fwd_macs_per_sample"],
            26 * 26 * 32 * 9 + 24 * 24 * 64 * 288 + 9216 * 128 + 128 * 10);
  EXPECT_TRUE(j["infer_sps_median"].is_null());
  EXPECT_TRUE(j["test_acc_by_epoch"][0].is_null());
  EXPECT_TRUE(j["train_sps_steady_median"].is_number());
  const json& e = j["epochs_detail"][0];
  EXPECT_EQ(e["steps"], 3);
  // Three Adam steps from glorot kernels: the data loss starts near ln 10 = 2.303.
  const double loss = e["mean_data_loss"].get<double>();
  EXPECT_TRUE(std::isfinite(loss));
  EXPECT_GT(loss, 1.5);
  EXPECT_LT(loss, 2.6);
  EXPECT_GT(e["reg_loss_last"].get<double>(), 0.0);
}

TEST(Bench, WithoutL2TheModelHasNoRegularizationTerm) {
  const json j = bench({.model = "mlp",
                        .threads = 1,
                        .max_batches = 2,
                        .no_eval = true,
                        .warmup_batches = 0,
                        .l2 = 0.f});
  EXPECT_EQ(j["epochs_detail"][0]["reg_loss_last"].get<double>(), 0.0);
  EXPECT_THAT(bench_config_yaml({.model = "mlp", .l2 = 0.f}),
              ::testing::Not(HasSubstr("kernel_regularizer")));
}

TEST(Bench, ConfigIsTheReferenceModelAndBadArgumentsAreRejected) {
  const std::string yaml = bench_config_yaml({.model = "cnn"});
  const config::RunConfig c =
      config::read_run_config(config::ConfigNode::load_string(yaml, "bench_test"));
  EXPECT_EQ(c.model.layers.size(), 8u);
  EXPECT_EQ(c.training.batch_size, 128);
  EXPECT_EQ(c.optimizer.kind, config::OptimizerConfig::Kind::adam);
  EXPECT_FLOAT_EQ(c.optimizer.adam.eps, 1e-8f);
  EXPECT_EQ(c.data.validation_split, 0.0);
  EXPECT_THAT(testing::error_of([] { bench_config_yaml({.model = "resnet"}); }),
              HasSubstr("--model must be mlp or cnn"));
  EXPECT_THAT(testing::error_of([] { run_bench({.model = "mlp", .data_dir = "/nonexistent"}); }),
              HasSubstr("/nonexistent"));
}

}  // namespace
}  // namespace occam::app
