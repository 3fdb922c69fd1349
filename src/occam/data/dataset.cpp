#include "occam/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <utility>

namespace occam::data {

Shape Dataset::sample_shape() const {
  OCCAM_CHECK(inputs.rank() >= 1, "dataset: inputs must be [N, ...], got ", inputs.shape());
  return Shape(inputs.shape().begin() + 1, inputs.shape().end());
}

int64_t Dataset::sample_numel() const { return numel_of(sample_shape()); }

void check_dataset(const Dataset& d) {
  OCCAM_CHECK(d.inputs.defined() && d.inputs.rank() >= 1 && d.inputs.dim(0) == d.size(),
              "dataset: expected inputs [N, ...] with N = ", d.size(), " labels, got ",
              d.inputs.shape());
  OCCAM_CHECK(d.class_names.empty() || static_cast<int64_t>(d.class_names.size()) == d.num_classes,
              "dataset: ", d.class_names.size(), " class names for ", d.num_classes, " classes");
  for (int64_t i = 0; i < d.size(); ++i)
    OCCAM_CHECK(d.labels[i] >= 0 && d.labels[i] < d.num_classes, "dataset: label ", d.labels[i],
                " of sample ", i, " is outside [0, ", d.num_classes, ")");
}

namespace {

// Copies sample rows src[indices[i]] to dst[i]; each row holds `row` floats.
void gather_rows(float* dst, const float* src, int64_t row, std::span<const int64_t> indices) {
  for (size_t i = 0; i < indices.size(); ++i)
    std::memcpy(dst + i * row, src + indices[i] * row, row * sizeof(float));
}

std::vector<int64_t> identity(int64_t n) {
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// True when t is [b, ...the sample shape of `inputs`].
bool is_batch_of(const Tensor& t, const Tensor& inputs, int64_t b) {
  return t.defined() && t.rank() == inputs.rank() && t.dim(0) == b &&
         std::equal(t.shape().begin() + 1, t.shape().end(), inputs.shape().begin() + 1);
}

}  // namespace

Dataset subset(const Dataset& d, std::span<const int64_t> indices) {
  Shape shape = d.inputs.shape();
  shape[0] = static_cast<int64_t>(indices.size());
  Dataset out{Tensor::empty(shape), {}, d.num_classes, d.class_names};
  out.labels.reserve(indices.size());
  for (int64_t i : indices) {
    OCCAM_CHECK(i >= 0 && i < d.size(), "subset: index ", i, " out of range for ", d.size(),
                " samples");
    out.labels.push_back(d.labels[i]);
  }
  gather_rows(out.inputs.data(), d.inputs.data(), d.sample_numel(), indices);
  return out;
}

void shuffle(std::span<int64_t> v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

ValidationSplit split_validation(const Dataset& d, double fraction, Rng& rng) {
  const int64_t n = d.size();
  const auto n_val = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
  OCCAM_CHECK(fraction >= 0 && fraction < 1, "split_validation: fraction must be in [0, 1), got ",
              fraction);
  OCCAM_CHECK(n_val < n, "split_validation: fraction ", fraction, " of ", n,
              " samples would hold out ", n_val, ", leaving no training sample");
  std::vector<int64_t> order = identity(n);
  shuffle(order, rng);
  std::vector<int64_t> val(order.begin(), order.begin() + n_val);
  std::vector<int64_t> train(order.begin() + n_val, order.end());
  std::sort(val.begin(), val.end());
  std::sort(train.begin(), train.end());
  return {subset(d, train), subset(d, val)};
}

Batcher::Batcher(const Dataset& dataset, BatcherConfig config, Rng rng)
    : dataset_(dataset), config_(config), rng_(rng), order_(identity(dataset.size())) {
  OCCAM_CHECK(config.batch_size >= 1, "batcher: batch_size must be >= 1, got ", config.batch_size);
  check_dataset(dataset);
  sample_numel_ = dataset.sample_numel();
}

int64_t Batcher::batches_per_epoch() const {
  const int64_t n = dataset_.size(), b = config_.batch_size;
  return config_.drop_last ? n / b : (n + b - 1) / b;
}

void Batcher::start_epoch(int64_t epoch) {
  OCCAM_CHECK(epoch >= 0, "batcher: epoch must be >= 0, got ", epoch);
  std::iota(order_.begin(), order_.end(), 0);
  if (config_.shuffle) {
    Rng keys = rng_;
    for (int64_t e = 0; e < epoch; ++e) keys.next_u64();
    Rng epoch_rng(keys.next_u64());
    shuffle(order_, epoch_rng);
  }
  cursor_ = 0;
  started_ = true;
}

bool Batcher::next(Batch& batch) {
  OCCAM_CHECK(started_, "batcher: call start_epoch() before next()");
  const int64_t left = dataset_.size() - cursor_;
  const int64_t b = std::min(config_.batch_size, left);
  if (b == 0 || (config_.drop_last && b < config_.batch_size)) return false;

  const Tensor& all = dataset_.inputs;
  if (!is_batch_of(batch.inputs, all, b)) {
    std::swap(batch.inputs, batch.spare_inputs);
    if (!is_batch_of(batch.inputs, all, b)) {
      Shape shape = all.shape();
      shape[0] = b;
      batch.inputs = Tensor::empty(std::move(shape));
    }
  }
  const std::span<const int64_t> picked(order_.data() + cursor_, b);
  batch.indices.assign(picked.begin(), picked.end());
  batch.labels.resize(b);
  for (int64_t i = 0; i < b; ++i) batch.labels[i] = dataset_.labels[picked[i]];
  gather_rows(batch.inputs.data(), all.data(), sample_numel_, picked);
  cursor_ += b;
  return true;
}

}  // namespace occam::data
