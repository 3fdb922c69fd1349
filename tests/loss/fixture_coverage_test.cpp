// Every case of losses.json has a test in this folder: a new case fails here until it gets one.
#include "testing/testing.h"

namespace occam::loss {
namespace {

TEST(LossFixtures, EveryCaseIsTested) {
  const std::vector<std::string> tested = {
      "huber",                         // regression_test: Huber.MatchesTorchInBothRegimes, SmoothL1
      "mse",                           // regression_test: Mse.MatchesTorch
      "sigmoid_binary_cross_entropy",  // cross_entropy_test
      "sigmoid_focal_od",              // detection_test
      "sigmoid_focal_retinanet",       // detection_test
      "softmax_cross_entropy",         // cross_entropy_test
      "softmax_cross_entropy_label_smoothing",  // cross_entropy_test
      "weighted_smooth_l1_od",                  // detection_test
  };
  std::vector<std::string> cases = testing::fixture_cases("losses.json");
  std::sort(cases.begin(), cases.end());
  EXPECT_EQ(cases, tested);
}

}  // namespace
}  // namespace occam::loss
