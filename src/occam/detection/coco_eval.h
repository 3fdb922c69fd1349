// COCO bbox evaluation exactly as pycocotools' COCOeval (cocodataset/cocoapi cocoeval.py,
// evaluate → accumulate → summarize) computes it; ../shared/SPEC-detection.md §3.
//
//   iouThrs   T = 10: numpy linspace(.5, .95, 10) doubles (iouThrs[8] = 0.8999999999999999)
//   recThrs   R = 101: linspace(0, 1, 101)
//   areaRng   A = 4: all [0,1e10], small [0,32²], medium [32²,96²], large [96²,1e10], both ends
//             inclusive, compared with the annotation's `area` (a detection's area is w·h)
//   maxDets   M = 3: 1, 10, 100 detections per image AND per category
//
// Per (image, category): detections stable-sorted by descending score and cut at 100; IoU in
// double (maskApi bbIou: xywh, no +1; against a crowd GT the denominator is the detection's
// area); a detection takes the best-IoU unmatched GT with IoU >= min(t, 1-1e-10) (ties: the later
// GT), crowd GT reusable, GTs ordered non-ignored first and the search stops at the ignored ones
// once a non-ignored match exists; a detection matched to an ignored GT, or unmatched and outside
// the area range, is ignored. An annotation with id 0 counts as unmatched (cocoeval tests dtm==0).
// Accumulate: all images' detections (ascending image id) stable-sorted by score, precision
// tp/(tp+fp+2^-52) made monotone from the right and sampled at recThrs (searchsorted 'left', 0
// past the last recall). A category (or area range) without non-ignored GT stays -1 and is left
// out of every mean; a summary with no entry > -1 is -1.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace occam::detection {

// A box [x, y, w, h] in pixels, top-left corner, as COCO writes it.
using XywhBox = std::array<double, 4>;

struct CocoCategory {
  int64_t id = 0;    // need not be contiguous (COCO's 80 classes use 1..90)
  std::string name;  // used for the OD API's per-category metric names
};

struct CocoAnnotation {
  int64_t id = 0;  // the annotation id (0 is legal, but cocoeval counts a match to it as none)
  int64_t image_id = 0;
  int64_t category_id = 0;
  XywhBox bbox{};
  double area = 0;  // the annotation's `area` (not w·h): decides the area range
  bool iscrowd = false;
};

struct CocoGroundTruth {
  std::vector<int64_t> image_ids;  // every evaluated image, with or without annotations
  std::vector<CocoCategory> categories;
  std::vector<CocoAnnotation> annotations;  // order matters for ties (cocoapi keeps file order)
};

struct CocoDetection {
  int64_t image_id = 0;     // must be one of the ground truth's images (loadRes asserts it)
  int64_t category_id = 0;  // detections of categories not in the ground truth are not evaluated
  XywhBox bbox{};
  double score = 0;
};

// numpy's linspace(start, stop, num) bit for bit: i·((stop-start)/(num-1)) + start, the last
// element set to stop.
std::vector<double> numpy_linspace(double start, double stop, int num);
inline std::vector<double> coco_iou_thresholds() { return numpy_linspace(0.5, 0.95, 10); }
inline std::vector<double> coco_recall_thresholds() { return numpy_linspace(0.0, 1.0, 101); }

struct CocoCategoryResult {
  int64_t category_id = 0;
  std::string name;
  int64_t num_gt = 0;  // all annotations of the category, crowd included
  int64_t num_gt_noncrowd = 0;
  double ap = -1;     // mean precision over IoUs × recall points, area all, 100 dets; -1: no GT
  double ap50 = -1;   // the same at IoU 0.5
  double ap75 = -1;   // at IoU 0.75
  double ar100 = -1;  // mean over IoUs of the recall reached with 100 dets
};

// The names of COCOeval.stats, in its order.
inline constexpr std::array<const char*, 12> kCocoStatNames = {
    "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"};

struct CocoResult {
  std::array<double, 12> stats{};  // COCOeval.stats: AP, AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l
  std::vector<CocoCategoryResult> per_category;  // ascending category id
};

// Evaluates `detections` against `gt`. Throws occam::DataError for a detection whose image is not
// in gt.image_ids (pycocotools' loadRes assertion).
CocoResult evaluate_coco(const CocoGroundTruth& gt, const std::vector<CocoDetection>& detections);

// The 12 lines COCOeval.summarize() prints, each with its trailing newline.
std::string format_coco_summary(const CocoResult& result);

// (name, value) as the TF Object Detection API's CocoDetectionEvaluator logs them:
// DetectionBoxes_Precision/mAP, .../mAP@.50IOU, .../mAP@.75IOU, .../mAP (small|medium|large),
// DetectionBoxes_Recall/AR@1|AR@10|AR@100, .../AR@100 (small|medium|large), then
// DetectionBoxes_PerformanceByCategory/mAP/<name> for every category.
std::vector<std::pair<std::string, double>> coco_od_api_metrics(const CocoResult& result);

}  // namespace occam::detection
