#include "occam/detection/eval_detections.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "occam/detection/detection_files.h"
#include "occam/error.h"

namespace occam::detection {

namespace {

// JSON has no NaN: a class without ground truth is null.
std::string dump_ordered(const std::vector<std::pair<std::string, double>>& metrics) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : metrics)
    j[k] = std::isnan(v) ? nlohmann::ordered_json() : nlohmann::ordered_json(v);
  return j.dump(2) + "\n";
}

std::string run_coco(const EvalDetectionsArgs& args) {
  const CocoResult r =
      evaluate_coco(read_coco_ground_truth(args.gt), read_coco_results(args.detections));
  if (args.json) return dump_ordered(coco_od_api_metrics(r));
  std::string out = format_coco_summary(r);
  out +=
      "\ncategory                          id   num_gt        AP      AP50      AP75     AR100\n";
  for (const CocoCategoryResult& c : r.per_category)
    out += fmt::format("{:<30} {:>5} {:>8} {:>9.6f} {:>9.6f} {:>9.6f} {:>9.6f}\n", c.name,
                       c.category_id, c.num_gt, c.ap, c.ap50, c.ap75, c.ar100);
  return out;
}

std::string run_voc(const EvalDetectionsArgs& args) {
  VocOptions o;
  o.iou_threshold = args.iou;
  o.ap = args.metric == "voc07" ? VocApMethod::voc07 : VocApMethod::voc12;
  o.matching = args.voc_matching == "tf_od_api" ? VocMatching::tf_od_api : VocMatching::devkit;
  VocGroundTruth gt = read_voc_ground_truth(args.gt, args.split);
  const std::vector<VocDetection> dets = read_voc_detections(args.detections);
  std::set<std::string> classes(gt.classes.begin(), gt.classes.end());
  for (const VocDetection& d : dets) classes.insert(d.class_name);
  gt.classes.assign(classes.begin(), classes.end());
  const VocResult r = evaluate_voc(gt, dets, o);
  if (args.json) return dump_ordered(voc_od_api_metrics(r, args.iou));
  std::string out = fmt::format(
      "Pascal VOC AP @ IoU {} ({}, {} matching: {}), {} images\n", args.iou,
      args.metric == "voc07" ? "VOC2007 11-point" : "VOC2010+ all points", args.voc_matching,
      o.matching == VocMatching::devkit ? "+1 pixel, IoU > threshold" : "no +1, IoU >= threshold",
      gt.images.size());
  out += "class                            npos   dets        AP\n";
  for (const VocClassResult& c : r.per_class)
    out += fmt::format("{:<30} {:>6} {:>6} {:>9}\n", c.class_name, c.npos, c.num_detections,
                       std::isnan(c.ap) ? std::string("n/a (no GT)") : fmt::format("{:.6f}", c.ap));
  out += fmt::format("{:<30} {:>6} {:>6} {:>9.6f}\n", "mAP", "", "", r.map);
  return out;
}

}  // namespace

std::string run_eval_detections(const EvalDetectionsArgs& args) {
  if (args.metric == "coco") {
    if (args.iou != 0.5 || !args.split.empty())
      throw ConfigError(
          "--iou and --split apply to --metric voc07|voc12 only (COCO uses 0.50:0.95)");
    return run_coco(args);
  }
  if (args.metric != "voc07" && args.metric != "voc12")
    throw ConfigError("--metric is '" + args.metric + "'; expected coco, voc07 or voc12");
  if (args.voc_matching != "devkit" && args.voc_matching != "tf_od_api")
    throw ConfigError("--voc-matching is '" + args.voc_matching +
                      "'; expected devkit or tf_od_api");
  if (!(args.iou > 0 && args.iou < 1))
    throw ConfigError(fmt::format("--iou {} is not in (0, 1)", args.iou));
  return run_voc(args);
}

}  // namespace occam::detection
