// The `occam` command as a user runs it: exit statuses, one-line errors, the last stdout line.
#include <filesystem>
#include <fstream>

#include "../app/run_fixture.h"
#include "testing/testing.h"

namespace occam {
namespace {

using ::testing::HasSubstr;
using testing::run_command;
using testing::TempDir;
namespace fs = std::filesystem;

std::string occam_cli() { return std::string("cd ") + OCCAM_BINARY_DIR + " && " + OCCAM_CLI; }

std::string last_line(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

TEST(Cli, TrainsTheEmbeddedDefaultAndEverySubcommandReadsTheRun) {
  TempDir tmp;
  auto [status, out] =
      run_command(occam_cli() + " train --epochs 1 --max-batches 3 --out " + (tmp / "runs"));
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("occam: training fashion_mnist_mlp (the embedded default"));
  EXPECT_THAT(out, HasSubstr("epoch 1/1  train loss"));
  const std::string dir = last_line(out);
  EXPECT_EQ(dir, tmp / "runs/fashion_mnist_mlp");
  EXPECT_TRUE(fs::exists(dir + "/summary.json"));

  auto [e_status, explain] = run_command(occam_cli() + " explain " + dir);
  EXPECT_EQ(e_status, 0) << explain;
  EXPECT_THAT(explain, HasSubstr("dense_1/kernel/l2"));
  auto [j_status, json] = run_command(occam_cli() + " explain --json " + dir);
  EXPECT_EQ(j_status, 0);
  EXPECT_TRUE(nlohmann::json::parse(json).contains("terms"));
  auto [v_status, eval] = run_command(occam_cli() + " eval " + dir + " --checkpoint last");
  EXPECT_EQ(v_status, 0) << eval;
  EXPECT_THAT(eval, HasSubstr("regularization terms"));
  auto [r_status, report] =
      run_command(occam_cli() + " report " + dir + " --out " + (tmp / "r.html"));
  EXPECT_EQ(r_status, 0) << report;
  EXPECT_EQ(last_line(report), tmp / "r.html");
  EXPECT_TRUE(fs::exists(tmp / "r.html"));
}

TEST(Cli, BadInputIsOneLineOnStderrAndStatusOne) {
  TempDir tmp;
  std::ofstream(tmp / "bad.yaml")
      << "model:\n  input_shape: [1, 28, 28]\n  layers:\n    - {type: flaten}\n";
  // stderr only: stdout goes to /dev/null.
  auto [status, out] = run_command("{ " + occam_cli() + " train " + (tmp / "bad.yaml") + " --out " +
                                   (tmp / "runs") + " 2>&1 >/dev/null; }");
  EXPECT_EQ(status, 1);
  EXPECT_THAT(
      out,
      HasSubstr(
          "bad.yaml:4:14: model.layers[0].type: unknown layer type 'flaten' (did you mean flatten?)"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_FALSE(fs::exists(tmp / "runs"));

  auto [s2, missing] = run_command(occam_cli() + " explain " + (tmp / "nothing"));
  EXPECT_EQ(s2, 1);
  EXPECT_THAT(missing, HasSubstr("nothing: no such run directory"));
  auto [s3, flag] = run_command(occam_cli() + " train --epochs 0");
  EXPECT_NE(s3, 0);
  EXPECT_THAT(flag, HasSubstr("--epochs"));
  auto [s4, ck] = run_command(occam_cli() + " eval " + (tmp / "nothing"));
  EXPECT_EQ(s4, 1);
}

}  // namespace
}  // namespace occam
