#include "occam/app/train_command.h"

#include <cmath>
#include <filesystem>

#include "occam/config/node.h"
#include "occam/train/checkpoint.h"
#include "occam/train/trainer.h"
#include "run_fixture.h"
#include "testing/testing.h"

namespace occam::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::read_jsonl;
using testing::TempDir;
using testing::tiny_config;
using testing::train_quietly;
using testing::write_config;

TEST(TrainCommand, WritesACompleteRunDirectoryThatStockTensorBoardReads) {
  TempDir tmp;
  const std::string dir = train_quietly({write_config(tmp, tiny_config()), tmp / "runs"});
  EXPECT_EQ(dir, tmp / "runs/tiny");
  for (const char* f :
       {"config.yaml", "run.json", "metrics.jsonl", "summary.json", "checkpoints/last.ckpt",
        "checkpoints/best.ckpt", "checkpoints/epoch-1.ckpt", "checkpoints/epoch-2.ckpt"})
    EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;

  // Every logged point: the identity total = Σ data + regularization_loss, in the file.
  const auto points = read_jsonl(dir + "/metrics.jsonl");
  std::map<std::string, int> splits;
  for (const auto& p : points) {
    ++splits[p.at("split").get<std::string>()];
    const auto& t = p.at("terms");
    EXPECT_EQ(t.begin().key(), "classification_loss");
    EXPECT_FLOAT_EQ(t.at("total_loss").get<float>(), t.at("classification_loss").get<float>() +
                                                         t.at("regularization_loss").get<float>());
    float reg = 0.f;
    for (const char* name : {"dense_1/kernel/l2", "dense_2/kernel/l2", "dense_2/bias/l1"})
      reg += t.at(name).get<float>();
    EXPECT_FLOAT_EQ(t.at("regularization_loss").get<float>(), reg);
    EXPECT_FALSE(t.contains("regularization_loss_1"));
  }
  EXPECT_EQ(splits["train"],
            6);  // 900 samples / 64 = 15 steps per epoch, logged at steps 1, 6, 11 of 30
  EXPECT_EQ(splits["val"], 2);
  EXPECT_EQ(splits["test"], 1);

  const auto summary = nlohmann::json::parse(testing::read_all(dir + "/summary.json"));
  for (const char* k : {"test_accuracy", "epochs", "steps", "wall_s", "final_terms"})
    EXPECT_TRUE(summary.contains(k)) << k;
  EXPECT_EQ(summary.at("steps"), 30);
  EXPECT_GT(summary.at("test_accuracy").get<double>(),
            0.5);  // 2 epochs on 900 images: well above chance

  // The event files pass the strict checker, and carry the tags users look for.
  const std::string checker = std::string(OCCAM_PYTHON) + " " + OCCAM_TFEVENTS_CHECKER;
  auto [status, out] = testing::run_command(checker + " --check --strict " + dir);
  EXPECT_EQ(status, 0) << out;
  auto [dump_status, dump] = testing::run_command(checker + " " + dir);
  ASSERT_EQ(dump_status, 0);
  for (const char* tag :
       {"\"Loss/classification_loss\"", "\"Loss/regularization_loss\"", "\"Loss/total_loss\"",
        "\"Loss/dense_1/kernel/l2\"", "\"Loss/dense_2/bias/l1\"", "\"learning_rate\"",
        "\"Metrics/accuracy\"", "\"Parameters/dense_1/kernel\"", "\"Gradients/dense_1/kernel\"",
        "\"_hparams_/session_start_info\""})
    EXPECT_THAT(dump, HasSubstr(tag));
  EXPECT_THAT(dump, HasSubstr("\"run\": \"validation\""));
}

TEST(TrainCommand, SameConfigSeedAndThreadsGiveBitIdenticalLosses) {
  TempDir tmp;
  const std::string config = write_config(tmp, tiny_config());
  const std::string a = train_quietly({config, tmp / "runs", "a"});
  const std::string b = train_quietly({config, tmp / "runs", "b"});
  const auto pa = read_jsonl(a + "/metrics.jsonl"), pb = read_jsonl(b + "/metrics.jsonl");
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i)
    EXPECT_EQ(pa[i].at("terms").dump(), pb[i].at("terms").dump()) << i;
}

std::map<std::string, Tensor> model_tensors(const std::string& checkpoint) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, t] : train::load_checkpoint(checkpoint).tensors)
    if (name.rfind("model/", 0) == 0 || name.rfind("optimizer/", 0) == 0) out[name] = t;
  return out;
}

// A dense model large enough that its products are tiled, its optimizer update, L2 pass and
// dropout masks split into tasks: all of that depends on the shapes only, so 1 and 2 threads
// train to the same bits (the CNN's oneDNN convolutions do not promise this).
TEST(TrainCommand, DenseModelsTrainToTheSameBitsOnOneAndTwoThreads) {
  TempDir tmp;
  auto config = [&](int threads) {
    return write_config(
        tmp,
        "name: wide\nseed: 3\nthreads: " + std::to_string(threads) +
            "\ndata: {dataset: fashion_mnist, train_limit: 1000, validation_split: 0.2}\n"
            "model:\n  input_shape: [1, 28, 28]\n  layers:\n"
            "    - {type: flatten}\n"
            "    - {type: dense, units: 512, activation: relu, kernel_regularizer: {l1: 1.0e-5, l2: 1.0e-4}}\n"
            "    - {type: dropout, rate: 0.5}\n"
            "    - {type: dense, units: 10, kernel_regularizer: {l2: 1.0e-4}}\n"
            "optimizer: {type: sgd, lr: 0.05, momentum: 0.9}\n"
            "training: {epochs: 1, batch_size: 128, eval_batch_size: 200}\n"
            "logging: {every_steps: 1, histograms_every_steps: 0, keep_checkpoints: 1}\n",
        "wide" + std::to_string(threads) + ".yaml");
  };
  const std::string one = train_quietly({config(1), tmp / "runs", "one"});
  const std::string two = train_quietly({config(2), tmp / "runs", "two"});
  const auto p1 = read_jsonl(one + "/metrics.jsonl"), p2 = read_jsonl(two + "/metrics.jsonl");
  ASSERT_EQ(p1.size(), p2.size());
  ASSERT_GE(p1.size(), 6u);
  for (size_t i = 0; i < p1.size(); ++i)
    EXPECT_EQ(p1[i].at("terms").dump(), p2[i].at("terms").dump()) << i;
  const auto w1 = model_tensors(one + "/checkpoints/last.ckpt");
  const auto w2 = model_tensors(two + "/checkpoints/last.ckpt");
  ASSERT_EQ(w1.size(), w2.size());
  for (const auto& [name, t] : w1)
    EXPECT_EQ(std::memcmp(t.data(), w2.at(name).data(), size_t(t.numel()) * sizeof(float)), 0)
        << name;
}

TEST(TrainCommand, ResumeContinuesBitIdentically) {
  TempDir tmp;
  const std::string config = write_config(tmp, tiny_config());
  const std::string straight = train_quietly({config, tmp / "runs", "straight", 2});
  const std::string split = train_quietly({config, tmp / "runs", "split", 1});
  TrainArgs resume;
  resume.resume = split;
  resume.epochs = 2;
  EXPECT_EQ(train_quietly(resume), split);

  const auto want = model_tensors(straight + "/checkpoints/last.ckpt");
  const auto got = model_tensors(split + "/checkpoints/last.ckpt");
  ASSERT_EQ(want.size(), got.size());
  ASSERT_GE(want.size(), 6u);  // 4 parameters and their momentum buffers
  for (const auto& [name, t] : want) {
    ASSERT_TRUE(got.count(name)) << name;
    EXPECT_EQ(std::memcmp(t.data(), got.at(name).data(), size_t(t.numel()) * sizeof(float)), 0)
        << name;
  }
  // The second epoch's logged losses are the same too.
  auto train_points = [](const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& p : read_jsonl(dir + "/metrics.jsonl"))
      if (p.at("split") == "train" && p.at("epoch") == 2) out.push_back(p.at("terms").dump());
    return out;
  };
  EXPECT_EQ(train_points(straight), train_points(split));
  EXPECT_FALSE(train_points(split).empty());
}

TEST(TrainCommand, BadConfigIsOneLineNamingFileLineAndKeyAndWritesNothing) {
  TempDir tmp;
  std::string text = tiny_config();
  text.replace(text.find("units: 32"), 9, "unitz: 32");
  const std::string config = write_config(tmp, text);
  std::string message;
  try {
    train_quietly({config, tmp / "runs"});
  } catch (const ConfigError& e) {
    message = e.what();
  }
  EXPECT_THAT(message, HasSubstr(config + ":"));
  EXPECT_THAT(message, HasSubstr("model.layers[1].unitz: unknown key (did you mean units?)"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp / "runs/tiny"));

  text = tiny_config("{l2: -1}");
  std::string negative;
  try {
    train_quietly({write_config(tmp, text, "neg.yaml"), tmp / "runs"});
  } catch (const ConfigError& e) {
    negative = e.what();
  }
  EXPECT_THAT(negative,
              HasSubstr("model.layers[1].kernel_regularizer.l2: expected a number >= 0, got -1"));
  EXPECT_FALSE(fs::exists(tmp / "runs/tiny"));
}

TEST(TrainCommand, RegularizerOnAParameterThatDoesNotExistIsAnError) {
  TempDir tmp;
  std::string text = tiny_config();
  text.replace(text.find("{type: dropout, rate: 0.2}"), 26,
               "{type: dropout, rate: 0.2, kernel_regularizer: {l2: 0.1}}");
  std::string message;
  try {
    train_quietly({write_config(tmp, text), tmp / "runs"});
  } catch (const ConfigError& e) {
    message = e.what();
  }
  EXPECT_THAT(message, HasSubstr("model.layers[2].kernel_regularizer: unknown key"));
}

TEST(TrainCommand, DivergenceStopsNamingTheTermAndStepAndKeepsTheLastCheckpoint) {
  TempDir tmp;
  // lr 0.05 for the first epoch (15 steps), then ×1e12: the second epoch blows up.
  const std::string config =
      write_config(tmp, tiny_config("{l2: 1.0e-3}", "{type: sgd, lr: 0.05, momentum: 0.9}", 2,
                                    "schedule: {type: step, step_size: 15, gamma: 1.0e12}\n"));
  std::string message;
  try {
    train_quietly({config, tmp / "runs"});
  } catch (const train::DivergenceError& e) {
    message = e.what();
  }
  EXPECT_THAT(
      message,
      ::testing::MatchesRegex(
          "term [a-z_0-9/]+ is (nan|inf|-nan|-inf) at step 1[6-9].*|term [a-z_0-9/]+ is (nan|inf|-nan|-inf) at step 2[0-9].*"));
  const auto last = train::load_checkpoint(tmp / "runs/tiny/checkpoints/last.ckpt");
  EXPECT_EQ(last.header.at("epoch"), 1);
  EXPECT_EQ(last.header.at("step"), 15);
  for (const auto& [name, t] : last.tensors)
    for (float v : t.span()) ASSERT_TRUE(std::isfinite(v)) << name;
}

// L1 on a kernel drives many of its weights to (near) zero; without it, almost none are.
TEST(Regularization, L1MakesTheKernelMeasurablySparser) {
  TempDir tmp;
  auto sparsity = [&](const std::string& reg, const std::string& name) {
    // Plain SGD: with momentum, L1's fixed-size steps overshoot zero by ~10× more.
    const std::string dir = train_quietly(
        {write_config(tmp, tiny_config(reg, "{type: sgd, lr: 0.05}", 10), name + ".yaml"),
         tmp / "runs", name});
    const Tensor w =
        train::load_checkpoint(dir + "/checkpoints/last.ckpt").tensors.at("model/dense_1/kernel");
    int64_t small = 0;
    for (float v : w.span()) small += std::fabs(v) < 1e-3f;
    return double(small) / double(w.numel());
  };
  const double with_l1 = sparsity("{l1: 1.0e-2}", "l1");
  const double without = sparsity("{l2: 1.0e-6}", "none");
  EXPECT_GT(with_l1, 0.4) << "fraction of |w| < 1e-3 with L1";
  EXPECT_LT(without, 0.05)
      << "fraction of |w| < 1e-3 without L1";  // measured: 0.59 with, 0.013 without
}

}  // namespace
}  // namespace occam::app

namespace occam::app {
namespace {

// Weight decay is never a term of the objective, but the run records its size beside it.
TEST(TrainCommand, WeightDecayIsLoggedOutsideTheObjective) {
  TempDir tmp;
  for (const auto& [optimizer, key] : std::vector<std::pair<std::string, std::string>>{
           {"{type: adamw, lr: 0.001, weight_decay: 0.01}", "weight_decay_shrink"},
           {"{type: sgd, lr: 0.05, weight_decay: 0.0002}", "implied_l2"}}) {
    SCOPED_TRACE(optimizer);
    const std::string dir =
        train_quietly({write_config(tmp, tiny_config("{l2: 1.0e-3}", optimizer, 1), key + ".yaml"),
                       tmp / "runs", key});
    const auto points = read_jsonl(dir + "/metrics.jsonl");
    const auto& p = points.front();
    ASSERT_TRUE(p.contains("outside_objective")) << p.dump();
    double sum_sq = 0;
    for (const auto& [name, norm] : p.at("weight_norms").items())
      sum_sq += norm.get<double>() * norm.get<double>();
    const double want =
        key == "implied_l2" ? 0.0002 / 2 * sum_sq : p.at("lr").get<double>() * 0.01 * sum_sq;
    EXPECT_NEAR(p.at("outside_objective").at(key).get<double>(), want, 1e-6 * want);
    const auto& t = p.at("terms");
    EXPECT_FLOAT_EQ(t.at("total_loss").get<float>(), t.at("classification_loss").get<float>() +
                                                         t.at("regularization_loss").get<float>());
  }
}

}  // namespace
}  // namespace occam::app
