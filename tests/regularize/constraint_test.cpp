#include "occam/regularize/constraint.h"

#include "testing/testing.h"

namespace occam::regularize {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

void expect_projection_matches_keras(const std::string& name, const Constraint& c) {
  SCOPED_TRACE(name);
  const auto ref = load_fixture(name);
  Tensor w = ref("w");
  const Layout layout = w.rank() == 2 ? Layout::dense_kernel : Layout::conv_kernel;
  if (ref.has("norms")) {
    const std::vector<float> norms = unit_norms(w, layout);
    const Tensor want = ref("norms");
    ASSERT_EQ(int64_t(norms.size()), want.numel());
    for (size_t i = 0; i < norms.size(); ++i) EXPECT_NEAR(norms[i], want[i], 1e-6);
  }
  c.project(w, layout);
  // The ε = 1e-7 shrink of in-bound units is ~1e-7 relative: the tolerance must be below it to see it.
  EXPECT_TENSORS_NEAR(w, ref("w_constrained"), (Tol{1e-7, 2e-7}));
}

TEST(Constraints, MatchKerasFixtures) {
  for (const char* s : {"dense", "conv"}) {
    const std::string shape = s;
    expect_projection_matches_keras("max_norm_" + shape, *max_norm(1.f));
    expect_projection_matches_keras("unit_norm_" + shape, *unit_norm());
    expect_projection_matches_keras("min_max_norm_" + shape, *min_max_norm(0.5f, 1.f, 1.f));
    expect_projection_matches_keras("min_max_norm_rate0.5_" + shape,
                                    *min_max_norm(0.5f, 1.f, 0.5f));
    expect_projection_matches_keras("non_neg_" + shape, *non_neg());
  }
}

TEST(Constraints, MaxNormIsPerOutputUnitOfADenseKernel) {
  // [in=2, out=2]: column 0 has norm 5 (clipped to 1), column 1 norm 0.5 (kept, up to ε).
  Tensor w = Tensor::from({2, 2}, {3, 0.3f, 4, 0.4f});
  const float clipped = max_norm(1.f)->project(w, Layout::dense_kernel);
  EXPECT_FLOAT_EQ(clipped, 0.5f);
  EXPECT_NEAR(w[0], 0.6f, 1e-6);
  EXPECT_NEAR(w[2], 0.8f, 1e-6);
  EXPECT_NEAR(w[1], 0.3f * 0.5 / (0.5 + 1e-7), 1e-9);  // Keras' n/(n+ε), not exactly w
  EXPECT_NE(w[1], 0.3f * 1.0000001f);
}

TEST(Constraints, ConvKernelNormIsPerFilter) {
  Tensor w = Tensor::full({2, 3, 2, 2}, 1.f);  // each filter: 12 ones, norm √12
  unit_norm()->project(w, Layout::conv_kernel);
  const auto norms = unit_norms(w, Layout::conv_kernel);
  ASSERT_EQ(norms.size(), 2u);
  EXPECT_NEAR(norms[0], 1.f, 1e-6);
  EXPECT_NEAR(w[0], 1 / std::sqrt(12.f), 1e-6);
}

TEST(Constraints, NonNegReportsFractionClipped) {
  Tensor w = Tensor::from({4}, {-1, 2, -3, 4});
  EXPECT_FLOAT_EQ(non_neg()->project(w, Layout::vector), 0.5f);
  EXPECT_TENSORS_NEAR(w, Tensor::from({4}, {0, 2, 0, 4}), Tol{});
}

TEST(Constraints, RejectBadArguments) {
  EXPECT_THAT(error_of([] { min_max_norm(1.f, 0.5f, 1.f); }),
              HasSubstr("min_max_norm: expected 0 <= min_value <= max_value"));
  EXPECT_THAT(error_of([] { min_max_norm(0.f, 1.f, 2.f); }), HasSubstr("rate in [0, 1], got 2"));
  EXPECT_THAT(error_of([] { max_norm(-1.f); }), HasSubstr("max_norm: expected max_value >= 0"));
  EXPECT_THAT(error_of([] {
                Tensor w = Tensor::zeros({3});
                max_norm(1.f)->project(w, Layout::dense_kernel);
              }),
              HasSubstr("expected a dense kernel [in,out], got [3]"));
}

}  // namespace
}  // namespace occam::regularize
