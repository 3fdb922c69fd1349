// `occam bench`: a few steps of each reference model through the normal training path, and the
// JSON line carries torch_ref.py's keys with sane values. No timing is asserted here.
#include "occam/app/bench_command.h"

#include <nlohmann/json.hpp>

#include "occam/config/node.h"
#include "occam/config/run_config.h"
#include "testing/testing.h"

namespace occam::app {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// The keys bench/compare.sh reads, as ../shared/bench/torch_ref.py prints them.
const char* kTorchRefKeys[] = {"impl", "model", "threads", "batch", "epochs", "max_batches",
                               "warmup_batches", "seed", "params", "fwd_macs_per_sample",
                               "train_flops_per_sample", "train_sps_steady_median",
                               "train_gflops_achieved", "infer_sps_median", "test_acc_by_epoch",
                               "phase_ms_per_step", "minflt_per_steady_step", "epochs_detail",
                               "data_load_s", "peak_rss_mb_self"};

json bench(BenchArgs args) { return json::parse(run_bench(args)); }

TEST(Bench, MlpRunsAFewStepsAndReportsTorchRefKeys) {
  const json j = bench({.model = "mlp", .threads = 2, .max_batches = 4, .warmup_batches = 1});
  for (const char* k : kTorchRefKeys) EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["impl"], "occam");
  EXPECT_EQ(j["model"], "mlp");
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["params"], 784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10);
  EXPECT_GT(j["train_sps_steady_median"].get<double>(), 0.0);
  EXPECT_GT(j["infer_sps_median"].get<double>(), 0.0);
  const double acc = j["test_acc_by_epoch"][0].get<double>();
  EXPECT_GT(acc, 0.2) << "4 SGD steps already beat chance (0.1)";
  EXPECT_LE(acc, 1.0);
  for (const char* phase : {"data", "forward", "backward", "optimizer"})
    EXPECT_GE(j["phase_ms_per_step"][phase].get<double>(), 0.0) << phase;
  EXPECT_GT(j["kernel_ms_per_step"]["gemm"].get<double>(), 0.0);
  EXPECT_GT(j["peak_rss_mb_self"].get<double>(), 200.0) << "the dataset alone is ~220 MB";
  const json& e = j["epochs_detail"][0];
  EXPECT_EQ(e["steps"], 4);
  EXPECT_GT(e["mean_data_loss"].get<double>(), 0.5);
  EXPECT_LT(e["mean_data_loss"].get<double>(), 2.5);  // ln 10 = 2.30 at the start
  EXPECT_GT(e["reg_loss_last"].get<double>(), 0.0);   // 1e-4·Σw² of glorot kernels
}

TEST(Bench, CnnRunsAFewStepsWithoutEvaluation) {
  const json j = bench({.model = "cnn", .threads = 2, .max_batches = 3, .no_eval = true,
                        .warmup_batches = 1});
  EXPECT_EQ(j["model"], "cnn");
  EXPECT_EQ(j["params"], 32 * 9 + 32 + 64 * 32 * 9 + 64 + 9216 * 128 + 128 + 128 * 10 + 10);
  EXPECT_TRUE(j["infer_sps_median"].is_null());
  EXPECT_TRUE(j["test_acc_by_epoch"][0].is_null());
  EXPECT_GT(j["train_sps_steady_median"].get<double>(), 0.0);
  EXPECT_GT(j["kernel_ms_per_step"]["conv"].get<double>(), 0.0);
}

TEST(Bench, WithoutL2TheModelHasNoRegularizationTerm) {
  const json j = bench({.model = "mlp", .threads = 1, .max_batches = 2, .no_eval = true,
                        .warmup_batches = 0, .l2 = 0.f});
  EXPECT_EQ(j["epochs_detail"][0]["reg_loss_last"].get<double>(), 0.0);
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
