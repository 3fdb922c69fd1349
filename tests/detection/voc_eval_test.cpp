// Pascal VOC AP against the devkit's voc_eval (tests/fixtures/detection/voc_ap_cases.json, a copy
// of ../shared/fixtures/detection/; README there), plus hand-derived cases and the OD API variant.
#include "occam/detection/voc_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace occam::detection {
namespace {

using nlohmann::json;

const json& voc_cases() {
  static const json cases = [] {
    std::ifstream in(std::string(OCCAM_FIXTURES_DIR) + "/detection/voc_ap_cases.json");
    return json::parse(in);
  }();
  return cases;
}

XyxyBox box_of(const json& b) {
  return {b[0].get<double>(), b[1].get<double>(), b[2].get<double>(), b[3].get<double>()};
}

VocGroundTruth gt_of(const json& c) {
  VocGroundTruth gt;
  gt.images = c.at("imageset").get<std::vector<std::string>>();
  gt.classes = c.at("classes").get<std::vector<std::string>>();
  for (const auto& [image, objects] : c.at("annotations").items())
    for (const auto& o : objects)
      gt.objects.push_back({image, o.at("name").get<std::string>(), box_of(o.at("bbox")),
                            o.at("difficult").get<int>() != 0});
  return gt;
}

std::vector<VocDetection> dets_of(const json& c) {
  std::vector<VocDetection> out;
  for (const auto& [cls, dets] : c.at("detections").items())
    for (const auto& d : dets)
      out.push_back({d.at("image").get<std::string>(), cls, d.at("score").get<double>(),
                     box_of(d.at("bbox"))});
  return out;
}

void expect_near_all(const std::vector<double>& got, const json& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i].get<double>(), 1e-6) << what << "[" << i << "]";
}

// Every result of every case: rec, prec and AP per class, ovthresh 0.5 and 0.75, 07 and area.
TEST(VocEval, MatchesTheDevkitOnEveryFixtureCase) {
  int checked = 0;
  for (const json& c : voc_cases().at("cases")) {
    SCOPED_TRACE("case " + c.at("name").get<std::string>());
    const VocGroundTruth gt = gt_of(c);
    const std::vector<VocDetection> dets = dets_of(c);
    for (const json& want : c.at("results")) {
      const std::string cls = want.at("class").get<std::string>();
      const bool use07 = want.at("use_07_metric").get<bool>();
      const double thr = want.at("ovthresh").get<double>();
      SCOPED_TRACE(cls + " ovthresh " + std::to_string(thr) + (use07 ? " 07" : " area"));
      VocOptions o;
      o.iou_threshold = thr;
      o.ap = use07 ? VocApMethod::voc07 : VocApMethod::voc12;
      const VocClassResult r = evaluate_voc_class(gt, dets, cls, o);
      EXPECT_EQ(r.npos, c.at("npos").at(cls).get<int64_t>());
      EXPECT_NEAR(r.ap, want.at("ap").get<double>(), 1e-6);
      expect_near_all(r.recall, want.at("rec"), "rec");
      expect_near_all(r.precision, want.at("prec"), "prec");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 36);
}

TEST(VocEval, VocApMatchesTheDevkitOnTheDirectCurves) {
  const json& direct = voc_cases().at("voc_ap_direct");
  ASSERT_EQ(direct.size(), 6u);
  for (const json& c : direct) {
    const auto rec = c.at("rec").get<std::vector<double>>();
    const auto prec = c.at("prec").get<std::vector<double>>();
    EXPECT_NEAR(voc_ap(rec, prec, VocApMethod::voc07), c.at("ap_07").get<double>(), 1e-6);
    EXPECT_NEAR(voc_ap(rec, prec, VocApMethod::voc12), c.at("ap_area").get<double>(), 1e-6);
  }
}

// The case list is fixed: a case dropped from (or added to) the vendored file fails here.
TEST(VocEval, FixtureHasEveryExpectedCase) {
  std::vector<std::string> names;
  for (const json& c : voc_cases().at("cases")) names.push_back(c.at("name").get<std::string>());
  const std::vector<std::string> want = {
      "perfect",           "difficult_flags", "iou_boundary_plus_one",
      "images_without_gt", "all_wrong",       "multiclass_20img"};
  EXPECT_EQ(names, want);
}

// Recall 0.3 does not reach np.arange's 0.30000000000000004, nor 0.6 its 0.6000000000000001:
// with rec [.3, .6] and prec [1, .5], t = 0, .1, .2 → 1; t = .3…04, .4, .5 → .5; t = .6…01 .. 1 → 0:
// 07 = (3·1 + 3·.5)/11 = 0.40909. Decimal thresholds would give (4·1 + 3·.5)/11 = 0.5.
TEST(VocEval, ElevenPointThresholdsAreNumpysArange) {
  EXPECT_NEAR(voc_ap({0.3, 0.6}, {1.0, 0.5}, VocApMethod::voc07), (3 * 1.0 + 3 * 0.5) / 11, 1e-12);
  // All points: 0.3·1 + 0.3·0.5 = 0.45.
  EXPECT_NEAR(voc_ap({0.3, 0.6}, {1.0, 0.5}, VocApMethod::voc12), 0.45, 1e-12);
}

// GT [0,0,9,9] (10×10 pixels inclusive) and a detection [0,0,9,4]: devkit IoU = 50/100 = 0.5,
// not > 0.5 → FP, AP 0. The OD API variant (no +1): 9·4/(81) = 0.444 < 0.5 → FP too; a detection
// [0,0,10,5] against GT [0,0,10,10]: devkit (+1) 66/121 = 0.545 → TP; OD API 50/100 = 0.5 ≥ 0.5
// → TP; at a threshold 0.55 both miss.
TEST(VocEval, DevkitAndOdApiConventions) {
  VocGroundTruth gt{{"a"}, {"x"}, {{"a", "x", {0, 0, 9, 9}, false}}};
  EXPECT_EQ(evaluate_voc_class(gt, {{"a", "x", 0.9, {0, 0, 9, 4}}}, "x").ap, 0.0);
  VocGroundTruth gt2{{"a"}, {"x"}, {{"a", "x", {0, 0, 10, 10}, false}}};
  const std::vector<VocDetection> d2 = {{"a", "x", 0.9, {0, 0, 10, 5}}};
  EXPECT_NEAR(evaluate_voc_class(gt2, d2, "x").ap, 1.0, 1e-12);
  VocOptions od;
  od.matching = VocMatching::tf_od_api;
  EXPECT_NEAR(evaluate_voc_class(gt2, d2, "x", od).ap, 1.0, 1e-12);
  VocGroundTruth gt3{{"a"}, {"x"}, {{"a", "x", {0, 0, 10, 10}, false}}};
  const std::vector<VocDetection> d3 = {{"a", "x", 0.9, {0, 0, 10, 4.9}}};
  EXPECT_EQ(evaluate_voc_class(gt3, d3, "x", od).ap, 0.0);       // 49/100 < 0.5
  EXPECT_NEAR(evaluate_voc_class(gt3, d3, "x").ap, 1.0, 1e-12);  // 65.9/121 = 0.545 > 0.5
}

// Difficult GT: not counted in npos; a detection on it is neither TP nor FP. Two GT, one
// difficult; detections: on the difficult one (0.9), then on the other (0.8). Devkit rows:
// tp [0,1], fp [0,0] → rec [0,1], prec [0,1]; AP 1. Were it an FP, precision would be 1/2.
TEST(VocEval, DifficultObjectsAreIgnored) {
  VocGroundTruth gt{
      {"a"}, {"x"}, {{"a", "x", {0, 0, 9, 9}, true}, {"a", "x", {50, 50, 59, 59}, false}}};
  const std::vector<VocDetection> d = {{"a", "x", 0.9, {0, 0, 9, 9}},
                                       {"a", "x", 0.8, {50, 50, 59, 59}}};
  const VocClassResult r = evaluate_voc_class(gt, d, "x");
  EXPECT_EQ(r.npos, 1);
  EXPECT_NEAR(r.ap, 1.0, 1e-12);
  ASSERT_EQ(r.precision.size(), 2u);
  EXPECT_EQ(r.precision[0], 0.0);
  VocOptions od;
  od.matching = VocMatching::tf_od_api;
  EXPECT_EQ(evaluate_voc_class(gt, d, "x", od).precision.size(), 1u);  // the OD API drops it
}

// mAP is the mean over classes with GT; a class without GT has AP NaN and is left out.
TEST(VocEval, MeanSkipsClassesWithoutGroundTruth) {
  VocGroundTruth gt{{"a"},
                    {"x", "y", "z"},
                    {{"a", "x", {0, 0, 9, 9}, false}, {"a", "y", {20, 20, 29, 29}, false}}};
  const VocResult r = evaluate_voc(gt, {{"a", "x", 0.9, {0, 0, 9, 9}},
                                        {"a", "y", 0.9, {60, 60, 69, 69}},
                                        {"a", "z", 0.5, {0, 0, 9, 9}}});
  EXPECT_NEAR(r.map, 0.5, 1e-12);  // (1 + 0) / 2
  EXPECT_TRUE(std::isnan(r.per_class[2].ap));
  const auto m = voc_od_api_metrics(r, 0.5);
  EXPECT_EQ(m[0].first, "PascalBoxes_Precision/mAP@0.5IOU");
  EXPECT_EQ(m[1].first, "PascalBoxes_PerformanceByCategory/AP@0.5IOU/x");
  EXPECT_EQ(voc_od_api_metrics(r, 0.75)[0].first, "PascalBoxes_Precision/mAP@0.75IOU");
}

TEST(VocEval, DetectionOnAnImageOutsideTheSetIsAnError) {
  VocGroundTruth gt{{"a"}, {"x"}, {{"a", "x", {0, 0, 9, 9}, false}}};
  const std::string msg = testing::error_of([&] {
    evaluate_voc_class(gt, {{"b", "x", 0.9, {0, 0, 9, 9}}}, "x");
  });
  EXPECT_NE(msg.find("'b'"), std::string::npos) << msg;
}

}  // namespace
}  // namespace occam::detection
