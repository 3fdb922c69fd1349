#include "occam/train/task.h"

#include <algorithm>

#include "occam/loss/cross_entropy.h"
#include "occam/train/metrics.h"

namespace occam::train {

namespace {

// Top-1 (and top-5, when asked) counts over every batch added.
class TopK final : public MetricAccumulator {
 public:
  explicit TopK(bool with_top5) : with_top5_(with_top5) {}
  void add(const nn::Outputs& outputs, const data::Batch& batch) override {
    const Tensor& logits = ClassificationTask::logits(outputs).value();
    top1_ += count_top_k(logits, batch.labels, 1);
    if (with_top5_)
      top5_ += count_top_k(logits, batch.labels, std::min<int>(5, int(logits.dim(1))));
    count_ += batch.size();
  }
  std::map<std::string, double> values() const override {
    std::map<std::string, double> out{{"accuracy", count_ ? double(top1_) / double(count_) : 0}};
    if (with_top5_) out["top5"] = count_ ? double(top5_) / double(count_) : 0;
    return out;
  }

 private:
  bool with_top5_;
  int64_t top1_ = 0, top5_ = 0, count_ = 0;
};

}  // namespace

const Var& ClassificationTask::logits(const nn::Outputs& outputs) {
  if (outputs.size() == 1) return outputs.front().value;
  return nn::output(outputs, "logits");
}

std::vector<DataTermInfo> ClassificationTask::data_terms() const {
  return {{"classification_loss",
           label_smoothing_ > 0
               ? "mean softmax cross-entropy, label smoothing " + std::to_string(label_smoothing_)
               : "mean over the batch of −log softmax(logits)[label]",
           "logits"}};
}

void ClassificationTask::add_data_terms(Objective& objective, const nn::Outputs& outputs,
                                        const data::Batch& batch) const {
  OCCAM_CHECK(int64_t(batch.labels.size()) == batch.size(), "classification: the batch carries ",
              batch.labels.size(), " labels for ", batch.size(), " samples");
  const DataTermInfo info = data_terms().front();
  nn::Term term;
  term.name = info.name;
  term.value = loss::softmax_cross_entropy(logits(outputs), batch.labels, label_smoothing_);
  term.source = info.source;
  term.formula = info.formula;
  term.size = batch.size();
  objective.add_data_term(std::move(term));
}

std::unique_ptr<MetricAccumulator> ClassificationTask::train_metrics() const {
  return std::make_unique<TopK>(false);
}
std::unique_ptr<MetricAccumulator> ClassificationTask::eval_metrics() const {
  return std::make_unique<TopK>(true);
}

}  // namespace occam::train
