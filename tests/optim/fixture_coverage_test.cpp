// Every case of optimizers.json has a test in this folder: a new case fails here until it gets one.
#include "testing/testing.h"

namespace occam::optim {
namespace {

TEST(OptimizerFixtures, EveryCaseIsTested) {
  const std::vector<std::string> tested = {
      "adam",                       // adam_test: Adam.MatchesTorchAfterFiveSteps
      "adam_eps1e-7",               // adam_test
      "adam_weight_decay",          // adam_test
      "adamw",                      // adam_test
      "rmsprop",                    // rmsprop_test
      "rmsprop_centered",           // rmsprop_test
      "sgd",                        // sgd_test
      "sgd_momentum",               // sgd_test
      "sgd_momentum_weight_decay",  // sgd_test
      "sgd_nesterov",               // sgd_test
      "sgd_weight_decay",           // sgd_test
  };
  std::vector<std::string> cases = testing::fixture_cases("optimizers.json");
  std::sort(cases.begin(), cases.end());
  EXPECT_EQ(cases, tested);
}

}  // namespace
}  // namespace occam::optim
