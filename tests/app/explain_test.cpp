#include "occam/app/explain.h"

#include "occam/app/eval_command.h"
#include "run_fixture.h"
#include "testing/testing.h"

namespace occam::app {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

// One small run shared by the tests below (training is the slow part).
class ExplainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    std::string text =
        testing::tiny_config("{l2: 1.0e-3}", "{type: sgd, lr: 0.05, momentum: 0.9}", 2);
    // An activity penalty and a frozen regularized layer, so their answers apply.
    text.replace(
        text.find("{type: dropout, rate: 0.2}"), 26,
        "{type: dense, name: frozen_1, units: 16, trainable: false, kernel_regularizer: {l2: 0.5}, "
        "activity_regularizer: {l1: 1.0e-3}}");
    dir_ = testing::train_quietly({testing::write_config(*tmp_, text), *tmp_ / "runs"});
  }
  static void TearDownTestSuite() { delete tmp_; }
  static inline TempDir* tmp_ = nullptr;
  static inline std::string dir_;
};

TEST_F(ExplainTest, EveryTermWithFormulaShareAndTheExactIdentity) {
  const auto e = explain_run(dir_);
  EXPECT_EQ(e.at("step"), 26);  // the last logged train step (every 5: 1, 6, …, 26)
  EXPECT_TRUE(e.at("identity").at("holds").get<bool>());
  std::map<std::string, nlohmann::ordered_json> terms;
  for (const auto& t : e.at("terms")) terms[t.at("name").get<std::string>()] = t;
  ASSERT_TRUE(terms.count("classification_loss"));
  EXPECT_EQ(terms["classification_loss"].at("kind"), "data");
  const auto& l2 = terms.at("dense_1/kernel/l2");
  EXPECT_EQ(l2.at("formula"), "0.001·Σw² (keras)");
  EXPECT_EQ(l2.at("source"), "dense_1/kernel");
  EXPECT_EQ(l2.at("size"), 784 * 32);
  EXPECT_GT(l2.at("share_of_gradient").get<double>(), 0.0);
  EXPECT_LT(l2.at("share_of_gradient").get<double>(), 1.0);
  EXPECT_TRUE(l2.contains("trend"));
  bool slim = false;
  for (const auto& q : l2.at("equivalents"))
    if (q.at("target").get<std::string>().rfind("tf_slim", 0) == 0) {
      slim = true;
      EXPECT_DOUBLE_EQ(q.at("value").get<double>(), 0.002);
    }
  EXPECT_TRUE(slim);
  // The activity term carries its divisor; the frozen layer's kernel term is not in the objective.
  ASSERT_TRUE(terms.count("frozen_1/activity/l1"));
  EXPECT_THAT(terms["frozen_1/activity/l1"].at("divisor").get<std::string>(),
              HasSubstr("batch size"));
  EXPECT_FALSE(terms.count("frozen_1/kernel/l2"));
  double shares = 0;
  for (const auto& [name, t] : terms) shares += t.at("share_of_total").get<double>();
  EXPECT_NEAR(shares, 1.0, 1e-5);
}

TEST_F(ExplainTest, AnswersTheQuestionsThatApplyToThisRun) {
  const std::string text = render_explanation(explain_run(dir_));
  EXPECT_THAT(text, HasSubstr("regularization_loss_1"));
  EXPECT_THAT(text, HasSubstr("Does the validation loss include the L2 penalty?"));
  EXPECT_THAT(text, HasSubstr("Is the activity regularizer divided by the batch size?"));
  EXPECT_THAT(text, HasSubstr("Do frozen layers count?"));
  EXPECT_THAT(text, HasSubstr("frozen_1/kernel"));
  EXPECT_THAT(text, HasSubstr("(holds)"));
}

TEST_F(ExplainTest, StepSelectsTheLastLoggedPointAtOrBefore) {
  EXPECT_EQ(explain_run(dir_, 7).at("step"), 6);
  EXPECT_EQ(explain_run(dir_, 1).at("step"), 1);
  EXPECT_THAT(testing::error_of([&] { explain_run(dir_, 0); }),
              HasSubstr("no train step logged at or before step 0"));
  EXPECT_THAT(testing::error_of([&] { explain_run(dir_ + "/nope"); }),
              HasSubstr("nope: no such run directory"));
}

TEST_F(ExplainTest, EvalOfTheLastCheckpointReproducesTheTestAccuracy) {
  const auto summary = nlohmann::json::parse(testing::read_all(dir_ + "/summary.json"));
  const auto r = run_eval(dir_, "last");
  EXPECT_EQ(r.at("metrics").at("accuracy").get<double>(),
            summary.at("test_accuracy").get<double>());
  EXPECT_EQ(r.at("terms").at("total_loss").get<double>(),
            summary.at("final_terms").at("total_loss").get<double>());
  EXPECT_THAT(render_eval(r), HasSubstr("dense_1/kernel/l2"));
  EXPECT_THAT(testing::error_of([&] { run_eval(dir_, dir_ + "/missing.ckpt"); }),
              HasSubstr("missing.ckpt: cannot open checkpoint"));
}

}  // namespace
}  // namespace occam::app
