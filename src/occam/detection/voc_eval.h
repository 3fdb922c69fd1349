// Pascal VOC average precision, per class, exactly as the devkit's Python port computes it
// (py-faster-rcnn lib/datasets/voc_eval.py = detectron2 pascal_voc_evaluation.py voc_eval), and
// the TF Object Detection API's Pascal variant as a named option.
//
// devkit (VocMatching::devkit):
//   IoU with +1 pixel widths: w = x2 - x1 + 1, iw = max(min(x2) - max(x1) + 1, 0).
//   Detections of the class by descending score (ties in input order; numpy's argsort there is
//   not stable, so tied scores have no single reference order). Each takes the ONE GT of its image
//   with the highest IoU (the first on ties): a TP if IoU > threshold (strict), that GT is not
//   difficult and not taken yet; ignored if that GT is difficult; else an FP (no second-best GT).
//   npos = the class's non-difficult GT. rec = tp/npos, prec = tp/max(tp+fp, eps).
// tf_od_api (VocMatching::tf_od_api, object_detection/utils/per_image_evaluation.py):
//   the same greedy matching with IoU >= threshold and no +1 (boxes are continuous coordinates).
//
// AP:
//   voc07 (11-point): Σ over t = i·0.1, i = 0..10 (np.arange doubles: 0.30000000000000004, ...)
//     of max(prec[rec >= t]) / 11, 0 where no recall reaches t.
//   voc12 (all points, VOC2010+): area under the precision envelope with sentinels (0,0) and
//     (1,0), summed where recall changes. The TF OD API's compute_average_precision is the same.
// A class without non-difficult GT: npos 0; the devkit divides by it (rec NaN). Here its AP is
// NaN and it is left out of the mean, as the TF OD API's nanmean does.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace occam::detection {

// [xmin, ymin, xmax, ymax]: VOC's 1-based inclusive pixels for the devkit convention.
using XyxyBox = std::array<double, 4>;

struct VocObject {
  std::string image;  // the image's id (file stem, as in ImageSets/Main/<split>.txt)
  std::string class_name;
  XyxyBox box{};
  bool difficult = false;
};

struct VocDetection {
  std::string image;
  std::string class_name;
  double score = 0;
  XyxyBox box{};
};

enum class VocMatching { devkit, tf_od_api };
enum class VocApMethod { voc07, voc12 };  // 11-point; all points (VOC2010+)

struct VocOptions {
  double iou_threshold = 0.5;
  VocApMethod ap = VocApMethod::voc12;
  VocMatching matching = VocMatching::devkit;
};

struct VocClassResult {
  std::string class_name;
  int64_t npos = 0;  // non-difficult GT
  int64_t num_detections = 0;
  std::vector<double> recall, precision;  // one entry per detection, descending score
  double ap = 0;                          // NaN when npos == 0
};

struct VocResult {
  std::vector<VocClassResult> per_class;  // in the order of VocGroundTruth::classes
  double map = 0;  // mean AP over the classes with npos > 0; NaN if there is none
};

struct VocGroundTruth {
  std::vector<std::string> images;   // the image set; every detection's image must be in it
  std::vector<std::string> classes;  // the classes to evaluate, in report order
  std::vector<VocObject> objects;
};

// The devkit's voc_ap(rec, prec, use_07_metric).
double voc_ap(const std::vector<double>& recall, const std::vector<double>& precision,
              VocApMethod method);

// One class (voc_eval for `class_name`). Throws occam::DataError for a detection on an image that
// is not in gt.images (the devkit raises KeyError).
VocClassResult evaluate_voc_class(const VocGroundTruth& gt, const std::vector<VocDetection>& dets,
                                  const std::string& class_name, const VocOptions& options = {});

// Every class of gt.classes, and their mean.
VocResult evaluate_voc(const VocGroundTruth& gt, const std::vector<VocDetection>& dets,
                       const VocOptions& options = {});

// (name, value) as the TF OD API's PascalDetectionEvaluator logs them, for `iou` 0.5:
// PascalBoxes_Precision/mAP@0.5IOU and PascalBoxes_PerformanceByCategory/AP@0.5IOU/<class>
// (the threshold printed as Python prints the float: 0.75 → @0.75IOU).
std::vector<std::pair<std::string, double>> voc_od_api_metrics(const VocResult& result,
                                                               double iou_threshold);

}  // namespace occam::detection
