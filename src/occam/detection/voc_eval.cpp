#include "occam/detection/voc_eval.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <unordered_map>

#include "occam/detection/numpy_like.h"
#include "occam/error.h"

namespace occam::detection {

double voc_ap(const std::vector<double>& rec, const std::vector<double>& prec, VocApMethod method) {
  if (method == VocApMethod::voc07) {
    double ap = 0.0;
    for (int i = 0; i <= 10; ++i) {
      const double t = i * 0.1;  // np.arange(0., 1.1, 0.1)[i]
      double p = 0;
      bool any = false;
      for (size_t j = 0; j < rec.size(); ++j)
        if (rec[j] >= t) {
          p = any ? std::max(p, prec[j]) : prec[j];
          any = true;
        }
      ap = ap + p / 11.0;
    }
    return ap;
  }
  std::vector<double> mrec{0.0}, mpre{0.0};
  mrec.insert(mrec.end(), rec.begin(), rec.end());
  mpre.insert(mpre.end(), prec.begin(), prec.end());
  mrec.push_back(1.0);
  mpre.push_back(0.0);
  for (size_t i = mpre.size() - 1; i > 0; --i) mpre[i - 1] = std::max(mpre[i - 1], mpre[i]);
  std::vector<double> terms;
  for (size_t i = 0; i + 1 < mrec.size(); ++i)
    if (mrec[i + 1] != mrec[i]) terms.push_back((mrec[i + 1] - mrec[i]) * mpre[i + 1]);
  return numpy_sum(terms);
}

namespace {

// IoU of a detection with one GT box: the devkit's +1 pixel areas, or continuous (OD API).
double voc_iou(const XyxyBox& b, const XyxyBox& g, VocMatching matching) {
  const double one = matching == VocMatching::devkit ? 1.0 : 0.0;
  const double iw = std::max(std::min(g[2], b[2]) - std::max(g[0], b[0]) + one, 0.0);
  const double ih = std::max(std::min(g[3], b[3]) - std::max(g[1], b[1]) + one, 0.0);
  const double inters = iw * ih;
  const double uni = (b[2] - b[0] + one) * (b[3] - b[1] + one) +
                     (g[2] - g[0] + one) * (g[3] - g[1] + one) - inters;
  return inters / uni;
}

}  // namespace

VocClassResult evaluate_voc_class(const VocGroundTruth& gt, const std::vector<VocDetection>& dets,
                                  const std::string& class_name, const VocOptions& options) {
  std::unordered_map<std::string, size_t> image_index;
  for (size_t i = 0; i < gt.images.size(); ++i) image_index.emplace(gt.images[i], i);
  std::vector<std::vector<const VocObject*>> objects(gt.images.size());
  VocClassResult r;
  r.class_name = class_name;
  for (const VocObject& o : gt.objects) {
    if (o.class_name != class_name) continue;
    auto it = image_index.find(o.image);
    if (it == image_index.end()) continue;  // the devkit reads only the image set's annotations
    objects[it->second].push_back(&o);
    r.npos += !o.difficult;
  }
  std::vector<const VocDetection*> mine;
  std::vector<double> scores;
  for (const VocDetection& d : dets) {
    if (d.class_name != class_name) continue;
    if (!image_index.count(d.image))
      throw DataError(fmt::format(
          "a detection of class '{}' (score {}) is for image '{}', which is not in the image set",
          class_name, d.score, d.image));
    mine.push_back(&d);
    scores.push_back(d.score);
  }
  r.num_detections = static_cast<int64_t>(mine.size());
  std::vector<std::vector<uint8_t>> taken(gt.images.size());
  for (size_t i = 0; i < gt.images.size(); ++i) taken[i].assign(objects[i].size(), 0);

  double tp = 0, fp = 0;
  for (size_t n : stable_argsort_descending(scores)) {
    const VocDetection& d = *mine[n];
    const size_t img = image_index.at(d.image);
    const auto& g = objects[img];
    double ovmax = -std::numeric_limits<double>::infinity();
    size_t jmax = 0;
    for (size_t j = 0; j < g.size(); ++j) {
      const double ov = voc_iou(d.box, g[j]->box, options.matching);
      if (ov > ovmax) {  // np.argmax: the first maximum
        ovmax = ov;
        jmax = j;
      }
    }
    const bool hit = options.matching == VocMatching::devkit ? ovmax > options.iou_threshold
                                                             : ovmax >= options.iou_threshold;
    if (hit && g[jmax]->difficult) {
      // Neither TP nor FP. The devkit keeps the row (tp and fp unchanged); the OD API drops it.
      if (options.matching == VocMatching::tf_od_api) continue;
    } else if (hit && !taken[img][jmax]) {
      tp += 1;
      taken[img][jmax] = 1;
    } else {
      fp += 1;
    }
    r.recall.push_back(tp / static_cast<double>(r.npos));
    r.precision.push_back(options.matching == VocMatching::devkit
                              ? tp / std::max(tp + fp, kNumpyEps)
                              : tp / (tp + fp));
  }
  r.ap = r.npos == 0 ? std::numeric_limits<double>::quiet_NaN()
                     : voc_ap(r.recall, r.precision, options.ap);
  return r;
}

VocResult evaluate_voc(const VocGroundTruth& gt, const std::vector<VocDetection>& dets,
                       const VocOptions& options) {
  VocResult result;
  std::vector<double> aps;
  for (const std::string& c : gt.classes) {
    result.per_class.push_back(evaluate_voc_class(gt, dets, c, options));
    if (result.per_class.back().npos > 0) aps.push_back(result.per_class.back().ap);
  }
  result.map = aps.empty() ? std::numeric_limits<double>::quiet_NaN()
                           : numpy_sum(aps) / static_cast<double>(aps.size());
  return result;
}

std::vector<std::pair<std::string, double>> voc_od_api_metrics(const VocResult& result,
                                                               double iou_threshold) {
  std::vector<std::pair<std::string, double>> out;
  out.emplace_back(fmt::format("PascalBoxes_Precision/mAP@{}IOU", iou_threshold), result.map);
  for (const VocClassResult& c : result.per_class)
    out.emplace_back(
        fmt::format("PascalBoxes_PerformanceByCategory/AP@{}IOU/{}", iou_threshold, c.class_name),
        c.ap);
  return out;
}

}  // namespace occam::detection
