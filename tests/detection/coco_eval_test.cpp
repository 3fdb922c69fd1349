// COCO bbox evaluation against pycocotools (tests/fixtures/detection/coco_map_cases.json, a copy
// of ../shared/fixtures/detection/; README there), plus hand-derived cases.
#include "occam/detection/coco_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "occam/error.h"
#include "testing/testing.h"

namespace occam::detection {
namespace {

using nlohmann::json;

const json& coco_cases() {
  static const json cases = [] {
    std::ifstream in(std::string(OCCAM_FIXTURES_DIR) + "/detection/coco_map_cases.json");
    return json::parse(in);
  }();
  return cases;
}

XywhBox box_of(const json& b) {
  return {b[0].get<double>(), b[1].get<double>(), b[2].get<double>(), b[3].get<double>()};
}

CocoGroundTruth gt_of(const json& g) {
  CocoGroundTruth gt;
  for (const auto& im : g.at("images")) gt.image_ids.push_back(im.at("id").get<int64_t>());
  for (const auto& c : g.at("categories"))
    gt.categories.push_back({c.at("id").get<int64_t>(), c.at("name").get<std::string>()});
  for (const auto& a : g.at("annotations"))
    gt.annotations.push_back({a.at("id").get<int64_t>(), a.at("image_id").get<int64_t>(),
                              a.at("category_id").get<int64_t>(), box_of(a.at("bbox")),
                              a.at("area").get<double>(), a.at("iscrowd").get<int>() != 0});
  return gt;
}

std::vector<CocoDetection> dets_of(const json& d) {
  std::vector<CocoDetection> out;
  for (const auto& x : d)
    out.push_back({x.at("image_id").get<int64_t>(), x.at("category_id").get<int64_t>(),
                   box_of(x.at("bbox")), x.at("score").get<double>()});
  return out;
}

// Every case of the fixture: the 12 stats, per-category AP/AP50/AP75/AR100, and the printed lines.
TEST(CocoEval, MatchesPycocotoolsOnEveryFixtureCase) {
  ASSERT_GT(coco_cases().size(), 0u);
  for (const json& c : coco_cases()) {
    SCOPED_TRACE("case " + c.at("name").get<std::string>());
    const CocoResult r = evaluate_coco(gt_of(c.at("gt")), dets_of(c.at("dt")));
    for (size_t s = 0; s < 12; ++s)
      EXPECT_NEAR(r.stats[s], c.at("stats")[s].get<double>(), 1e-6) << kCocoStatNames[s];
    const json& pc = c.at("per_class");
    ASSERT_EQ(r.per_category.size(), pc.size());
    for (size_t k = 0; k < pc.size(); ++k) {
      SCOPED_TRACE("category " + std::to_string(pc[k].at("category_id").get<int64_t>()));
      EXPECT_EQ(r.per_category[k].category_id, pc[k].at("category_id").get<int64_t>());
      EXPECT_EQ(r.per_category[k].num_gt, pc[k].at("num_gt").get<int64_t>());
      EXPECT_EQ(r.per_category[k].num_gt_noncrowd, pc[k].at("num_gt_noncrowd").get<int64_t>());
      EXPECT_NEAR(r.per_category[k].ap, pc[k].at("AP").get<double>(), 1e-6);
      EXPECT_NEAR(r.per_category[k].ap50, pc[k].at("AP50").get<double>(), 1e-6);
      EXPECT_NEAR(r.per_category[k].ap75, pc[k].at("AP75").get<double>(), 1e-6);
      EXPECT_NEAR(r.per_category[k].ar100, pc[k].at("AR100").get<double>(), 1e-6);
    }
    std::string want;
    for (const auto& line : c.at("summarize_output")) want += line.get<std::string>() + "\n";
    EXPECT_EQ(format_coco_summary(r), want);
  }
}

// The case list is fixed: a case dropped from (or added to) the vendored file fails here.
TEST(CocoEval, FixtureHasEveryExpectedCase) {
  std::vector<std::string> names;
  for (const json& c : coco_cases()) names.push_back(c.at("name").get<std::string>());
  const std::vector<std::string> want = {
      "perfect_single",       "all_wrong_location",      "noisy_1class_5img",
      "images_without_gt",    "crowd_regions",           "area_range_boundaries",
      "duplicate_detections", "score_ties_within_image", "over_100_dets_one_image",
      "iou_threshold_edges",  "single_image_4classes",   "many_dets_ties_stress"};
  EXPECT_EQ(names, want);
}

TEST(CocoEval, ThresholdsAreNumpysDoubles) {
  const auto t = coco_iou_thresholds();
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(t[0], 0.5);
  EXPECT_EQ(t[5], 0.75);                // exactly: np.where(.75 == iouThrs) finds it
  EXPECT_EQ(t[8], 0.8999999999999999);  // not 0.9: an IoU of exactly 0.9 matches there
  EXPECT_EQ(t[9], 0.95);
  const auto r = coco_recall_thresholds();
  ASSERT_EQ(r.size(), 101u);
  EXPECT_EQ(r[3], 3 * 0.01);  // 0.03, as i·step
  EXPECT_EQ(r[100], 1.0);
}

CocoGroundTruth one_image(std::vector<CocoAnnotation> anns, int num_categories = 1) {
  CocoGroundTruth gt;
  gt.image_ids = {1};
  for (int k = 1; k <= num_categories; ++k) gt.categories.push_back({k, "c" + std::to_string(k)});
  gt.annotations = std::move(anns);
  return gt;
}

// cocoapi#55: one GT of category 1 found exactly, plus a big false positive of category 2,
// which has no GT. Category 2's precision stays -1 and is left out of the mean: AP = 1.
TEST(CocoEval, CategoryWithoutGroundTruthIsLeftOutOfTheMean) {
  auto gt = one_image({{1, 1, 1, {10, 10, 50, 50}, 2500, false}}, 2);
  const CocoResult r =
      evaluate_coco(gt, {{1, 1, {10, 10, 50, 50}, 0.9}, {1, 2, {0, 0, 200, 200}, 0.99}});
  EXPECT_NEAR(r.stats[0], 1.0, 1e-12);
  EXPECT_EQ(r.per_category[1].ap, -1);
  EXPECT_EQ(r.stats[3], -1);  // no small GT (2500 > 1024)
  EXPECT_NEAR(r.stats[4], 1.0, 1e-12);
  EXPECT_EQ(r.stats[5], -1);  // no large GT
}

// One GT [0,0,10,10] (area 100) and one detection [0,0,10,h]: IoU = h/10. With h = 7.5 the IoU
// 0.75 reaches thresholds .50 ... .75 (6 of 10) exactly as cocoeval (IoU >= t), so AP = AR = 0.6:
// at a matched threshold the single TP gives precision 1 at every recall point, at the other four 0.
// AP50 = AP75 = 1.
TEST(CocoEval, IouEqualToAThresholdMatchesIt) {
  auto gt = one_image({{1, 1, 1, {0, 0, 10, 10}, 100, false}});
  const CocoResult r = evaluate_coco(gt, {{1, 1, {0, 0, 10, 7.5}, 0.5}});
  EXPECT_NEAR(r.stats[0], 0.6, 1e-12);
  EXPECT_NEAR(r.stats[1], 1.0, 1e-12);
  EXPECT_NEAR(r.stats[2], 1.0, 1e-12);
  EXPECT_NEAR(r.stats[8], 0.6, 1e-12);
}

// A crowd region [0,0,100,100] and a detection [0,0,20,20] inside it: IoU against the crowd is
// 400/400 (the detection's own area), so the detection is ignored, not a false positive. With a
// non-crowd GT [200,200,10,10] found exactly at a lower score: AP = 1 (no FP ranks above it).
// Were the crowd IoU 400/10000 = 0.04, the first detection would be an FP: precision 1/2, AP 0.5.
TEST(CocoEval, CrowdIouUsesTheDetectionAreaAndIgnoresItsMatches) {
  auto gt = one_image(
      {{1, 1, 1, {0, 0, 100, 100}, 10000, true}, {2, 1, 1, {200, 200, 10, 10}, 100, false}});
  const CocoResult r =
      evaluate_coco(gt, {{1, 1, {0, 0, 20, 20}, 0.9}, {1, 1, {200, 200, 10, 10}, 0.8}});
  EXPECT_NEAR(r.stats[0], 1.0, 1e-12);
  EXPECT_EQ(r.per_category[0].num_gt, 2);
  EXPECT_EQ(r.per_category[0].num_gt_noncrowd, 1);
}

// Two GT, two detections with equal scores: the first (in input order) misses, the second hits
// GT a. Stable order: [FP, TP] → tp = [0,1], fp = [1,1]; recall [0, .5], precision [0, .5];
// envelope [.5, .5]; recall points 0..0.5 (51 of 101) get 0.5, the rest 0: AP50 = 51·0.5/101.
// Input order [TP, FP] would give precision [1, .5]: AP50 = 51/101.
TEST(CocoEval, TiedScoresKeepInputOrder) {
  auto gt = one_image(
      {{1, 1, 1, {0, 0, 40, 40}, 1600, false}, {2, 1, 1, {100, 100, 40, 40}, 1600, false}});
  const CocoResult r =
      evaluate_coco(gt, {{1, 1, {300, 300, 40, 40}, 0.5}, {1, 1, {0, 0, 40, 40}, 0.5}});
  EXPECT_NEAR(r.stats[1], 51 * 0.5 / 101, 1e-12);
  const CocoResult swapped =
      evaluate_coco(gt, {{1, 1, {0, 0, 40, 40}, 0.5}, {1, 1, {300, 300, 40, 40}, 0.5}});
  EXPECT_NEAR(swapped.stats[1], 51.0 / 101, 1e-12);
}

// Area 1024 = 32² is both small and medium (both ends inclusive), judged by `area`, not w·h.
TEST(CocoEval, AreaRangesAreInclusiveAndUseTheAnnotationArea) {
  auto gt = one_image({{1, 1, 1, {0, 0, 40, 40}, 1024, false}});  // w·h = 1600, area 1024
  const CocoResult r = evaluate_coco(gt, {{1, 1, {0, 0, 40, 40}, 0.9}});
  EXPECT_NEAR(r.stats[3], 1.0, 1e-12);  // small
  EXPECT_NEAR(r.stats[4], 1.0, 1e-12);  // medium
  EXPECT_EQ(r.stats[5], -1);            // large: none
}

// maxDets counts per image AND per category: 2 categories, one GT and one exact detection each.
// AR@1 keeps each category's best detection, so both GT are found: AR@1 = 1, although the image
// has 2 detections (a per-image cut at 1 would lose category 2: AR@1 = 0.5).
TEST(CocoEval, MaxDetsIsPerImageAndCategory) {
  auto gt = one_image(
      {{1, 1, 1, {0, 0, 40, 40}, 1600, false}, {2, 1, 2, {100, 100, 40, 40}, 1600, false}}, 2);
  const CocoResult r =
      evaluate_coco(gt, {{1, 1, {0, 0, 40, 40}, 0.9}, {1, 2, {100, 100, 40, 40}, 0.8}});
  EXPECT_NEAR(r.stats[6], 1.0, 1e-12);
  // Within one category, the second detection is cut at maxDets 1: AR@1 = 0.5, AR@10 = 1.
  auto gt1 = one_image(
      {{1, 1, 1, {0, 0, 40, 40}, 1600, false}, {2, 1, 1, {100, 100, 40, 40}, 1600, false}});
  const CocoResult r1 =
      evaluate_coco(gt1, {{1, 1, {0, 0, 40, 40}, 0.9}, {1, 1, {100, 100, 40, 40}, 0.8}});
  EXPECT_NEAR(r1.stats[6], 0.5, 1e-12);
  EXPECT_NEAR(r1.stats[7], 1.0, 1e-12);
}

TEST(CocoEval, DetectionOnAnUnknownImageIsAnError) {
  auto gt = one_image({{1, 1, 1, {0, 0, 40, 40}, 1600, false}});
  const std::string msg = testing::error_of([&] {
    evaluate_coco(gt, {{7, 1, {0, 0, 40, 40}, 0.9}});
  });
  EXPECT_NE(msg.find("image 7"), std::string::npos) << msg;
}

TEST(CocoEval, OdApiNames) {
  auto gt = one_image({{1, 1, 1, {0, 0, 40, 40}, 1600, false}});
  const auto m = coco_od_api_metrics(evaluate_coco(gt, {{1, 1, {0, 0, 40, 40}, 0.9}}));
  ASSERT_EQ(m.size(), 13u);
  EXPECT_EQ(m[0].first, "DetectionBoxes_Precision/mAP");
  EXPECT_EQ(m[1].first, "DetectionBoxes_Precision/mAP@.50IOU");
  EXPECT_EQ(m[5].first, "DetectionBoxes_Precision/mAP (large)");
  EXPECT_EQ(m[8].first, "DetectionBoxes_Recall/AR@100");
  EXPECT_EQ(m[11].first, "DetectionBoxes_Recall/AR@100 (large)");
  EXPECT_EQ(m[12].first, "DetectionBoxes_PerformanceByCategory/mAP/c1");
  EXPECT_NEAR(m[12].second, 1.0, 1e-12);
}

}  // namespace
}  // namespace occam::detection
