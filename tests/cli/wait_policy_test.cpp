// libgomp's wait policy is the occam command's choice (src/occam/cli/wait_policy.h), never the
// library's. `occam bench` reports the OMP_WAIT_POLICY its process runs with (the key omp_wait,
// as torch_ref.py), which shows whether the command re-executed itself with PASSIVE.
#include <nlohmann/json.hpp>

#include "../app/run_fixture.h"
#include "testing/testing.h"

namespace occam {
namespace {

using testing::run_command;

// The JSON line `occam bench` prints for one step, run under `env_prefix`.
nlohmann::json bench_under(const std::string& env_prefix) {
  auto [status, out] =
      run_command(std::string("cd ") + OCCAM_BINARY_DIR + " && " + env_prefix + " " + OCCAM_CLI +
                  " bench --model mlp --threads 1 --max-batches 1 --no-eval");
  EXPECT_EQ(status, 0) << out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const size_t nl = out.rfind('\n');
  return nlohmann::json::parse(nl == std::string::npos ? out : out.substr(nl + 1));
}

TEST(WaitPolicy, TheCommandRunsWithPassiveWaitUnlessTheEnvironmentChoseAPolicy) {
  const nlohmann::json chosen_by_occam = bench_under("env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT");
  EXPECT_EQ(chosen_by_occam["omp_wait"], "PASSIVE");
  EXPECT_EQ(chosen_by_occam["env"]["OMP_WAIT_POLICY"], "PASSIVE");

  const nlohmann::json users_policy = bench_under("env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=active");
  EXPECT_EQ(users_policy["omp_wait"], "active") << "the user's policy stands, unchanged";

  const nlohmann::json users_spin = bench_under("env -u OMP_WAIT_POLICY GOMP_SPINCOUNT=1000");
  EXPECT_TRUE(users_spin["omp_wait"].is_null())
      << "GOMP_SPINCOUNT is a choice too: no policy added";
  EXPECT_EQ(users_spin["env"]["GOMP_SPINCOUNT"], "1000");

  // The policy changes no number: the step's loss is the same bits under each.
  const auto loss = [](const nlohmann::json& j) { return j["epochs_detail"][0]["mean_data_loss"]; };
  EXPECT_EQ(loss(chosen_by_occam), loss(users_policy));
  EXPECT_EQ(loss(chosen_by_occam), loss(users_spin));
}

// The library never re-executes a process (a program embedding it, or one started by mpirun,
// decides for itself): no object of Occam's static libraries refers to an exec function.
TEST(WaitPolicy, NoLibraryModuleCallsExec) {
  const std::string libs = std::string(OCCAM_BINARY_DIR) + "/liboccam_*.a";
  auto [status, listing] = run_command("ls " + libs);
  ASSERT_EQ(status, 0) << listing;
  EXPECT_THAT(listing, ::testing::HasSubstr("liboccam_tensor.a"));
  auto [nm_status, execs] = run_command("nm --undefined-only " + libs +
                                        " | grep -Ew 'execv|execve|execvp|execl|fexecve' || true");
  EXPECT_EQ(nm_status, 0);
  EXPECT_EQ(execs, "");
}

}  // namespace
}  // namespace occam
