#include "occam/detection/coco_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>

#include "occam/detection/numpy_like.h"
#include "occam/error.h"

namespace occam::detection {

std::vector<double> numpy_linspace(double start, double stop, int num) {
  std::vector<double> y(num);
  if (num == 1) return {start};
  const double step = (stop - start) / (num - 1);
  for (int i = 0; i < num; ++i) y[i] = i * step + start;
  y[num - 1] = stop;
  return y;
}

namespace {

constexpr int kAreas = 4;  // all, small, medium, large
constexpr std::array<std::array<double, 2>, kAreas> kAreaRanges = {
    {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}}};
constexpr std::array<int, 3> kMaxDets = {1, 10, 100};
constexpr int kM = 3;

// maskApi.c bbIou for one pair: xywh, no +1; against a crowd GT, intersection / detection area.
double bb_iou(const XywhBox& d, const XywhBox& g, bool crowd) {
  const double w = std::fmin(d[2] + d[0], g[2] + g[0]) - std::fmax(d[0], g[0]);
  if (w <= 0) return 0;
  const double h = std::fmin(d[3] + d[1], g[3] + g[1]) - std::fmax(d[1], g[1]);
  if (h <= 0) return 0;
  const double i = w * h, da = d[2] * d[3], ga = g[2] * g[3];
  return i / (crowd ? da : da + ga - i);
}

// What one detection is at one IoU threshold after matching (cocoeval's dtm / dtIg).
enum DetState : uint8_t { kFp = 0, kTp = 1, kIgnored = 2 };

// cocoeval evaluateImg for one image, category and area range: D detections (sorted, cut at
// maxDets[-1]) × T thresholds of states, and the number of non-ignored GT.
struct ImageEval {
  std::vector<double> scores;   // D
  std::vector<uint8_t> states;  // T × D, row t
  int64_t num_not_ignored = 0;
};

ImageEval evaluate_image(const std::vector<const CocoAnnotation*>& gts,
                         const std::vector<const CocoDetection*>& dts,
                         const std::vector<double>& ious,  // D × G, GT in given order
                         const std::array<double, 2>& range, const std::vector<double>& thrs) {
  const size_t G = gts.size(), D = dts.size(), T = thrs.size();
  std::vector<uint8_t> ignore(G);
  for (size_t g = 0; g < G; ++g)
    ignore[g] = gts[g]->iscrowd || gts[g]->area < range[0] || gts[g]->area > range[1];
  // Non-ignored GT first, stable (np.argsort(kind='mergesort') of the ignore flags).
  std::vector<size_t> order(G);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ignore[a] < ignore[b]; });
  ImageEval e;
  e.scores.resize(D);
  for (size_t d = 0; d < D; ++d) e.scores[d] = dts[d]->score;
  e.states.assign(T * D, kFp);
  for (size_t g = 0; g < G; ++g) e.num_not_ignored += !ignore[g];
  std::vector<uint8_t> taken(G);
  for (size_t t = 0; t < T; ++t) {
    std::fill(taken.begin(), taken.end(), 0);
    for (size_t d = 0; d < D; ++d) {
      const XywhBox& b = dts[d]->bbox;
      const double area = b[2] * b[3];
      const bool outside = area < range[0] || area > range[1];
      double best = std::min(thrs[t], 1 - 1e-10);
      int64_t m = -1;  // position in `order`
      if (G > 0) {
        for (size_t gi = 0; gi < G; ++gi) {
          const size_t g = order[gi];
          if (taken[gi] && !gts[g]->iscrowd) continue;
          if (m > -1 && !ignore[order[m]] && ignore[g]) break;
          const double iou = ious[d * G + g];
          if (iou < best) continue;
          best = iou;
          m = static_cast<int64_t>(gi);
        }
      }
      uint8_t& s = e.states[t * D + d];
      if (m == -1) {
        s = outside ? kIgnored : kFp;
        continue;
      }
      const CocoAnnotation& g = *gts[order[m]];
      taken[m] = 1;
      if (ignore[order[m]])
        s = kIgnored;
      else if (g.id != 0)
        s = kTp;
      else  // dtm == 0: cocoeval takes it for unmatched
        s = outside ? kIgnored : kFp;
    }
  }
  return e;
}

// cocoeval accumulate for one category, area range and maxDet: writes precision[t][r] and
// recall[t], or leaves -1 when no image has GT or detections, or no GT is non-ignored.
void accumulate(const std::vector<const ImageEval*>& images, int max_det,
                const std::vector<double>& thrs, const std::vector<double>& rec_thrs,
                double* precision /* T × R */, double* recall /* T */) {
  const size_t T = thrs.size(), R = rec_thrs.size();
  if (images.empty()) return;
  std::vector<double> scores;
  std::vector<std::pair<const ImageEval*, size_t>> src;
  int64_t npig = 0;
  for (const ImageEval* e : images) {
    const size_t n = std::min<size_t>(e->scores.size(), max_det);
    for (size_t d = 0; d < n; ++d) {
      scores.push_back(e->scores[d]);
      src.push_back({e, d});
    }
    npig += e->num_not_ignored;
  }
  if (npig == 0) return;
  const size_t nd = scores.size();
  const std::vector<size_t> order = stable_argsort_descending(scores);
  std::vector<double> rc(nd), pr(nd);
  for (size_t t = 0; t < T; ++t) {
    double tp = 0, fp = 0;
    for (size_t i = 0; i < nd; ++i) {
      const auto [e, d] = src[order[i]];
      const uint8_t s = e->states[t * e->scores.size() + d];
      tp += s == kTp;
      fp += s == kFp;
      rc[i] = tp / static_cast<double>(npig);
      pr[i] = tp / (fp + tp + kNumpySpacing1);
    }
    recall[t] = nd ? rc[nd - 1] : 0;
    for (size_t i = nd; i-- > 1;)
      if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
    for (size_t r = 0; r < R; ++r) {
      // np.searchsorted(rc, recThrs[r], side='left'): the first i with rc[i] >= recThrs[r].
      const size_t i = std::lower_bound(rc.begin(), rc.end(), rec_thrs[r]) - rc.begin();
      precision[t * R + r] = i < nd ? pr[i] : 0;
    }
  }
}

}  // namespace

CocoResult evaluate_coco(const CocoGroundTruth& gt, const std::vector<CocoDetection>& detections) {
  const std::vector<double> thrs = coco_iou_thresholds(), rec_thrs = coco_recall_thresholds();
  const size_t T = thrs.size(), R = rec_thrs.size();

  std::vector<int64_t> img_ids = gt.image_ids;
  std::sort(img_ids.begin(), img_ids.end());
  img_ids.erase(std::unique(img_ids.begin(), img_ids.end()), img_ids.end());
  std::vector<CocoCategory> cats = gt.categories;
  std::stable_sort(cats.begin(), cats.end(),
                   [](const CocoCategory& a, const CocoCategory& b) { return a.id < b.id; });
  // np.unique(catIds): a repeated id is one category.
  cats.erase(std::unique(cats.begin(), cats.end(),
                         [](const CocoCategory& a, const CocoCategory& b) { return a.id == b.id; }),
             cats.end());
  const size_t I = img_ids.size(), K = cats.size();
  std::map<int64_t, size_t> img_index, cat_index;
  for (size_t i = 0; i < I; ++i) img_index[img_ids[i]] = i;
  for (size_t k = 0; k < K; ++k) cat_index.emplace(cats[k].id, k);

  // Ground truth and detections per (category, image), in input order.
  std::vector<std::vector<const CocoAnnotation*>> gts(K * I);
  std::vector<std::vector<const CocoDetection*>> dts(K * I);
  CocoResult result;
  result.per_category.resize(K);
  for (size_t k = 0; k < K; ++k) {
    result.per_category[k].category_id = cats[k].id;
    result.per_category[k].name = cats[k].name;
  }
  for (const CocoAnnotation& a : gt.annotations) {
    auto i = img_index.find(a.image_id);
    auto k = cat_index.find(a.category_id);
    if (i == img_index.end() || k == cat_index.end()) continue;  // not evaluated by cocoeval
    gts[k->second * I + i->second].push_back(&a);
    result.per_category[k->second].num_gt += 1;
    result.per_category[k->second].num_gt_noncrowd += !a.iscrowd;
  }
  for (size_t n = 0; n < detections.size(); ++n) {
    const CocoDetection& d = detections[n];
    auto i = img_index.find(d.image_id);
    if (i == img_index.end())
      throw DataError(fmt::format(
          "detection {} (category {}, score {}) is for image {}, which is not in the ground truth "
          "(pycocotools' loadRes refuses it too)",
          n, d.category_id, d.score, d.image_id));
    auto k = cat_index.find(d.category_id);
    if (k == cat_index.end()) continue;
    dts[k->second * I + i->second].push_back(&d);
  }

  // precision [T][R][K][A][M] and recall [T][K][A][M], -1 where undefined, as cocoeval.
  std::vector<double> precision(T * R * K * kAreas * kM, -1.0), recall(T * K * kAreas * kM, -1.0);
  std::vector<double> prec_tr(T * R), rec_t(T);
  const int max_det_all = kMaxDets.back();
  for (size_t k = 0; k < K; ++k) {
    std::vector<std::optional<ImageEval>> evals(kAreas * I);  // [A][I]
    for (size_t i = 0; i < I; ++i) {
      const auto& g = gts[k * I + i];
      std::vector<const CocoDetection*> d = dts[k * I + i];
      if (g.empty() && d.empty()) continue;
      std::stable_sort(d.begin(), d.end(), [](const CocoDetection* a, const CocoDetection* b) {
        return a->score > b->score;
      });
      if (d.size() > static_cast<size_t>(max_det_all)) d.resize(max_det_all);
      std::vector<double> ious(d.size() * g.size());
      for (size_t a = 0; a < d.size(); ++a)
        for (size_t b = 0; b < g.size(); ++b)
          ious[a * g.size() + b] = bb_iou(d[a]->bbox, g[b]->bbox, g[b]->iscrowd);
      for (int a = 0; a < kAreas; ++a)
        evals[a * I + i] = evaluate_image(g, d, ious, kAreaRanges[a], thrs);
    }
    for (int a = 0; a < kAreas; ++a) {
      std::vector<const ImageEval*> images;
      for (size_t i = 0; i < I; ++i)
        if (evals[a * I + i]) images.push_back(&*evals[a * I + i]);
      for (int m = 0; m < kM; ++m) {
        std::fill(prec_tr.begin(), prec_tr.end(), -1.0);
        std::fill(rec_t.begin(), rec_t.end(), -1.0);
        accumulate(images, kMaxDets[m], thrs, rec_thrs, prec_tr.data(), rec_t.data());
        for (size_t t = 0; t < T; ++t) {
          for (size_t r = 0; r < R; ++r)
            precision[(((t * R + r) * K + k) * kAreas + a) * kM + m] = prec_tr[t * R + r];
          recall[((t * K + k) * kAreas + a) * kM + m] = rec_t[t];
        }
      }
    }
  }

  // summarize(): the mean of the entries > -1 (numpy's pairwise sum), -1 if there are none.
  auto mean_defined = [](const std::vector<double>& v) {
    std::vector<double> kept;
    for (double x : v)
      if (x > -1) kept.push_back(x);
    return kept.empty() ? -1.0 : numpy_sum(kept) / static_cast<double>(kept.size());
  };
  // t < 0: every threshold; k < 0: every category. Entries in numpy's C order (t, r, k).
  auto ap = [&](int t_only, int64_t k_only, int a, int m) {
    std::vector<double> v;
    for (size_t t = 0; t < T; ++t) {
      if (t_only >= 0 && t != static_cast<size_t>(t_only)) continue;
      for (size_t r = 0; r < R; ++r)
        for (size_t k = 0; k < K; ++k)
          if (k_only < 0 || k == static_cast<size_t>(k_only))
            v.push_back(precision[(((t * R + r) * K + k) * kAreas + a) * kM + m]);
    }
    return mean_defined(v);
  };
  auto ar = [&](int64_t k_only, int a, int m) {
    std::vector<double> v;
    for (size_t t = 0; t < T; ++t)
      for (size_t k = 0; k < K; ++k)
        if (k_only < 0 || k == static_cast<size_t>(k_only))
          v.push_back(recall[((t * K + k) * kAreas + a) * kM + m]);
    return mean_defined(v);
  };
  // np.where(iouThr == p.iouThrs): exact equality with the numpy doubles (.75 is one of them).
  auto thr_index = [&](double x) {
    auto it = std::find(thrs.begin(), thrs.end(), x);
    return it == thrs.end() ? static_cast<int>(T) : static_cast<int>(it - thrs.begin());
  };
  const int t50 = thr_index(0.5), t75 = thr_index(0.75);
  result.stats = {ap(-1, -1, 0, 2), ap(t50, -1, 0, 2), ap(t75, -1, 0, 2), ap(-1, -1, 1, 2),
                  ap(-1, -1, 2, 2), ap(-1, -1, 3, 2),  ar(-1, 0, 0),      ar(-1, 0, 1),
                  ar(-1, 0, 2),     ar(-1, 1, 2),      ar(-1, 2, 2),      ar(-1, 3, 2)};
  for (size_t k = 0; k < K; ++k) {
    CocoCategoryResult& c = result.per_category[k];
    c.ap = ap(-1, k, 0, 2);
    c.ap50 = ap(t50, k, 0, 2);
    c.ap75 = ap(t75, k, 0, 2);
    c.ar100 = ar(k, 0, 2);
  }
  return result;
}

std::string format_coco_summary(const CocoResult& result) {
  struct Line {
    bool ap;
    const char* iou;
    const char* area;
    int max_dets;
  };
  static const std::array<Line, 12> lines = {{{true, "0.50:0.95", "all", 100},
                                              {true, "0.50", "all", 100},
                                              {true, "0.75", "all", 100},
                                              {true, "0.50:0.95", "small", 100},
                                              {true, "0.50:0.95", "medium", 100},
                                              {true, "0.50:0.95", "large", 100},
                                              {false, "0.50:0.95", "all", 1},
                                              {false, "0.50:0.95", "all", 10},
                                              {false, "0.50:0.95", "all", 100},
                                              {false, "0.50:0.95", "small", 100},
                                              {false, "0.50:0.95", "medium", 100},
                                              {false, "0.50:0.95", "large", 100}}};
  std::string out;
  for (size_t n = 0; n < lines.size(); ++n) {
    const Line& l = lines[n];
    // cocoeval: ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'
    out += fmt::format(" {:<18} {} @[ IoU={:<9} | area={:>6} | maxDets={:>3} ] = {:0.3f}\n",
                       l.ap ? "Average Precision" : "Average Recall", l.ap ? "(AP)" : "(AR)", l.iou,
                       l.area, l.max_dets, result.stats[n]);
  }
  return out;
}

std::vector<std::pair<std::string, double>> coco_od_api_metrics(const CocoResult& result) {
  static const std::array<const char*, 12> names = {"DetectionBoxes_Precision/mAP",
                                                    "DetectionBoxes_Precision/mAP@.50IOU",
                                                    "DetectionBoxes_Precision/mAP@.75IOU",
                                                    "DetectionBoxes_Precision/mAP (small)",
                                                    "DetectionBoxes_Precision/mAP (medium)",
                                                    "DetectionBoxes_Precision/mAP (large)",
                                                    "DetectionBoxes_Recall/AR@1",
                                                    "DetectionBoxes_Recall/AR@10",
                                                    "DetectionBoxes_Recall/AR@100",
                                                    "DetectionBoxes_Recall/AR@100 (small)",
                                                    "DetectionBoxes_Recall/AR@100 (medium)",
                                                    "DetectionBoxes_Recall/AR@100 (large)"};
  std::vector<std::pair<std::string, double>> out;
  for (size_t n = 0; n < names.size(); ++n) out.emplace_back(names[n], result.stats[n]);
  for (const CocoCategoryResult& c : result.per_category)
    out.emplace_back("DetectionBoxes_PerformanceByCategory/mAP/" + c.name, c.ap);
  return out;
}

}  // namespace occam::detection
