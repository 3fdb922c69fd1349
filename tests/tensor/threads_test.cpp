// Thread settings. libgomp's wait policy is the occam command's (tests/cli/wait_policy_test.cpp).
#include "occam/tensor/threads.h"

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

}  // namespace
}  // namespace occam
