// Thread settings. The re-execution itself is exercised by the CLI; here, that nothing happens
// when the user has chosen a wait policy.
#include "occam/tensor/threads.h"

#include <cstdlib>

#include "testing/testing.h"

namespace occam {
namespace {

TEST(Threads, SetAndReadTheCount) {
  const int before = num_threads();
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  set_num_threads(before);
  EXPECT_THAT(testing::error_of([] { set_num_threads(0); }), ::testing::HasSubstr("n >= 1"));
}

TEST(Threads, PassiveWaitLeavesAUserChosenPolicyAlone) {
  const char* old = std::getenv("OMP_WAIT_POLICY");
  const std::string saved = old ? old : "";
  setenv("OMP_WAIT_POLICY", "ACTIVE", 1);
  char arg0[] = "not-executed";
  char* argv[] = {arg0, nullptr};
  use_passive_openmp_wait(argv);  // returns: the user's choice stands, nothing is re-executed
  EXPECT_STREQ(std::getenv("OMP_WAIT_POLICY"), "ACTIVE");
  if (old) setenv("OMP_WAIT_POLICY", saved.c_str(), 1);
  else unsetenv("OMP_WAIT_POLICY");
}

}  // namespace
}  // namespace occam
