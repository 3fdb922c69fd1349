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

void Batch::shape_inputs(int64_t b, const Shape& sample) {
  auto fits = [&](const Tensor& t) {
    return t.defined() && t.rank() == int64_t(sample.size()) + 1 && t.dim(0) == b &&
           std::equal(t.shape().begin() + 1, t.shape().end(), sample.begin());
  };
  if (fits(inputs)) return;
  std::swap(inputs, spare_inputs);
  if (fits(inputs)) return;
  Shape shape = sample;
  shape.insert(shape.begin(), b);
  inputs = Tensor::empty(std::move(shape));
}

void fill_range(const Source& source, int64_t start, int64_t n, Batch& batch) {
  OCCAM_CHECK(start >= 0 && n >= 0 && start + n <= source.size(), "fill_range: samples [", start,
              ", ", start + n, ") of a source of ", source.size());
  std::vector<int64_t> indices(static_cast<size_t>(n));
  std::iota(indices.begin(), indices.end(), start);
  source.fill(indices, batch);
}

DatasetSource::DatasetSource(std::shared_ptr<const Dataset> dataset)
    : dataset_(std::move(dataset)) {
  OCCAM_CHECK(dataset_ != nullptr, "dataset source: no dataset");
  if (dataset_->inputs.defined()) sample_numel_ = dataset_->sample_numel();
}

DatasetSource::DatasetSource(Dataset dataset)
    : DatasetSource(std::make_shared<const Dataset>(std::move(dataset))) {}

DatasetSource DatasetSource::view(const Dataset& dataset) {
  return DatasetSource(std::shared_ptr<const Dataset>(&dataset, [](const Dataset*) {}));
}

void DatasetSource::fill(std::span<const int64_t> indices, Batch& batch) const {
  const Dataset& d = *dataset_;
  const auto b = static_cast<int64_t>(indices.size());
  batch.shape_inputs(b, d.sample_shape());
  batch.indices.assign(indices.begin(), indices.end());
  batch.labels.resize(size_t(b));
  batch.objects.clear();
  for (int64_t i = 0; i < b; ++i) batch.labels[size_t(i)] = d.labels[size_t(indices[size_t(i)])];
  gather_rows(batch.inputs.data(), d.inputs.data(), sample_numel_, indices);
}

namespace {
const BatcherConfig& checked(const BatcherConfig& c) {
  OCCAM_CHECK(c.batch_size >= 1, "batcher: batch_size must be >= 1, got ", c.batch_size);
  OCCAM_CHECK(c.shard_count >= 1 && c.shard_index >= 0 && c.shard_index < c.shard_count,
              "batcher: shard ", c.shard_index, " of ", c.shard_count, " does not exist");
  return c;
}
std::unique_ptr<Source> checked_view(const Dataset& dataset) {
  check_dataset(dataset);
  return std::make_unique<DatasetSource>(DatasetSource::view(dataset));
}
}  // namespace

Batcher::Batcher(const Dataset& dataset, BatcherConfig config, Rng rng)
    : config_(checked(config)),
      owned_(checked_view(dataset)),
      source_(owned_.get()),
      rng_(rng),
      order_(identity(dataset.size())) {}

Batcher::Batcher(const Source& source, BatcherConfig config, Rng rng)
    : config_(checked(config)), source_(&source), rng_(rng), order_(identity(source.size())) {}

int64_t Batcher::batches_per_epoch() const {
  const int64_t n = source_->size(), g = config_.batch_size * config_.shard_count;
  if (config_.drop_last) return n / g;
  return n / g + (n % g >= config_.shard_count ? 1 : 0);
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
  const int64_t ranks = config_.shard_count, global = config_.batch_size * ranks;
  const int64_t m = std::min(global, source_->size() - cursor_);
  if (m == 0 || m < ranks || (config_.drop_last && m < global)) return false;
  const int64_t r = config_.shard_index, lo = r * m / ranks, hi = (r + 1) * m / ranks;
  source_->fill(std::span<const int64_t>(order_.data() + cursor_ + lo, size_t(hi - lo)), batch);
  cursor_ += m;
  return true;
}

}  // namespace occam::data
