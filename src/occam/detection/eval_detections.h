// `occam eval-detections --gt GT --detections DETS [--metric coco|voc07|voc12] [--iou T]
// [--split NAME] [--voc-matching devkit|tf_od_api] [--json]`: the evaluators of coco_eval.h and
// voc_eval.h on a user's own files.
//   coco:   GT a COCO JSON file, DETS a COCO results JSON; prints the 12 lines of
//           COCOeval.summarize(), then AP per category.
//   voc07 / voc12: GT a VOC root (Annotations/, ImageSets/Main/<split>.txt with --split),
//           DETS a folder of <class>.txt devkit files; prints AP per class and the mean.
//   --json: one object keyed by the TF OD API's metric names.
// It lives in detection/ (not app/) because it needs nothing but this module.
#pragma once

#include <string>

namespace occam::detection {

struct EvalDetectionsArgs {
  std::string gt;
  std::string detections;
  std::string metric = "coco";          // coco, voc07, voc12
  double iou = 0.5;                     // VOC only
  std::string split;                    // VOC only; empty: every Annotations/*.xml
  std::string voc_matching = "devkit";  // devkit or tf_od_api
  bool json = false;
};

// The text to print (ends with a newline). Throws occam::DataError / ConfigError.
std::string run_eval_detections(const EvalDetectionsArgs& args);

}  // namespace occam::detection
