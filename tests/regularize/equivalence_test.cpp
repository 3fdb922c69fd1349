#include "occam/regularize/equivalence.h"

#include "testing/testing.h"

namespace occam::regularize {
namespace {

const Equivalent& find(const std::vector<Equivalent>& all, const std::string& prefix) {
  for (const auto& e : all)
    if (e.target.rfind(prefix, 0) == 0) return e;
  throw std::runtime_error("no equivalent " + prefix);
}

TEST(Equivalence, KerasL2IsSlimWeightTwiceAndTorchDecayTwice) {
  const auto eq = l2_equivalents(1e-4, Convention::keras, UpdateRule::sgd_momentum);
  EXPECT_DOUBLE_EQ(find(eq, "keras").value, 1e-4);
  EXPECT_DOUBLE_EQ(find(eq, "tf_slim").value, 2e-4);
  EXPECT_DOUBLE_EQ(find(eq, "torch coupled").value, 2e-4);
  EXPECT_TRUE(find(eq, "torch coupled").exists);
  EXPECT_FALSE(find(eq, "decoupled").exists);
}

TEST(Equivalence, SlimWeightHalvesIntoKeras) {
  const auto eq = l2_equivalents(4e-5, Convention::tf_slim, UpdateRule::sgd);
  EXPECT_DOUBLE_EQ(find(eq, "keras").value, 2e-5);
  EXPECT_DOUBLE_EQ(find(eq, "tf_slim").value, 4e-5);
  EXPECT_TRUE(find(eq, "decoupled").exists);  // plain SGD: coupled = decoupled
}

TEST(Equivalence, NoneExistsForAdam) {
  EXPECT_FALSE(find(l2_equivalents(1e-4, Convention::keras, UpdateRule::adam), "decoupled").exists);
  EXPECT_FALSE(
      find(l2_equivalents(1e-4, Convention::keras, UpdateRule::adamw), "torch coupled").exists);
}

}  // namespace
}  // namespace occam::regularize
