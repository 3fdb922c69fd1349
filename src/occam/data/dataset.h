// A labelled dataset held in memory, validation splits, and seeded (and sharded) batching.
// inputs [N, ...sample shape] float32 (images NCHW: [N, C, H, W]), labels [N] in [0, num_classes).
// Batches are copies [B, ...sample shape] in a per-epoch Fisher–Yates order driven by occam::Rng,
// drawn from any Source (data/source.h); a Dataset is one through DatasetSource.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "occam/data/source.h"
#include "occam/tensor/rng.h"
#include "occam/tensor/tensor.h"

namespace occam::data {

struct Dataset {
  Tensor inputs;                // [N, ...]
  std::vector<int64_t> labels;  // [N], each in [0, num_classes)
  int64_t num_classes = 0;
  std::vector<std::string> class_names;  // empty, or num_classes names

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  Shape sample_shape() const;  // inputs.shape() without the leading N
  int64_t sample_numel() const;
};

// Throws (OCCAM_CHECK) unless inputs has N = labels.size() rows and every label is in range.
void check_dataset(const Dataset& dataset);

// The samples at `indices`, in that order, copied into a new Dataset.
Dataset subset(const Dataset& dataset, std::span<const int64_t> indices);

// In-place Fisher–Yates: for i = n-1 … 1, swap(v[i], v[rng.below(i+1)]). Same seed, same order,
// on every machine.
void shuffle(std::span<int64_t> v, Rng& rng);

struct ValidationSplit {
  Dataset train;
  Dataset validation;
};
// Holds out round(fraction·N) samples, chosen by a seeded shuffle, as the validation set.
// Each part keeps the dataset's order (the split chooses samples, it does not reorder them).
// fraction in [0, 1); at least one sample stays in train.
ValidationSplit split_validation(const Dataset& dataset, double fraction, Rng& rng);

// A Source as Batchers and evaluation read it: an in-memory Dataset, shared (not copied).
class DatasetSource final : public Source {
 public:
  explicit DatasetSource(std::shared_ptr<const Dataset> dataset);
  explicit DatasetSource(Dataset dataset);
  // A view of `dataset`, which must outlive this source.
  static DatasetSource view(const Dataset& dataset);

  int64_t size() const override { return dataset_->size(); }
  Shape sample_shape() const override { return dataset_->sample_shape(); }
  int64_t num_classes() const override { return dataset_->num_classes; }
  std::vector<std::string> class_names() const override { return dataset_->class_names; }
  void fill(std::span<const int64_t> indices, Batch& batch) const override;
  const Dataset& dataset() const { return *dataset_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  int64_t sample_numel_ = 0;
};

struct BatcherConfig {
  int64_t batch_size = 32;  // >= 1: samples per batch of this rank
  bool shuffle = true;      // false: dataset order every epoch
  bool drop_last = false;   // true: skip a last batch smaller than batch_size
  // Data parallelism: rank shard_index of shard_count. Every rank draws the same global order;
  // step k's global batch is the next shard_count·batch_size samples of it, and rank r takes
  // the r-th contiguous part, [r·m/N, (r+1)·m/N) of its m samples: parts differ in size by at
  // most one sample when the last global batch is short. A last global batch with fewer samples
  // than ranks is dropped, so every rank takes the same number of steps, each with a sample.
  // With one shard (the default) this is the ordinary batcher.
  int64_t shard_index = 0;
  int64_t shard_count = 1;
};

// Cuts a source into batches, one epoch at a time:
//   Batcher batcher(train, {.batch_size = 64}, rng.fork());
//   Batch batch;
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     batcher.start_epoch(epoch);
//     while (batcher.next(batch)) step(batch);
//   }
// The order of epoch e depends only on (the Rng given here, e): epoch e shuffles the identity
// with Rng(k_e), k_e the e-th value of rng.next_u64(); a resumed run replays the same batches.
// The Batcher keeps a reference to the source (or dataset), which must outlive it.
class Batcher {
 public:
  Batcher(const Source& source, BatcherConfig config, Rng rng);
  Batcher(const Dataset& dataset, BatcherConfig config, Rng rng);  // checks the dataset first

  void start_epoch(int64_t epoch);
  // Fills `batch` with the next batch of this epoch; false (batch untouched) when none is left.
  bool next(Batch& batch);

  int64_t batches_per_epoch() const;
  std::span<const int64_t> order() const { return order_; }  // this epoch's global sample order
  const BatcherConfig& config() const { return config_; }
  const Source& source() const { return *source_; }

 private:
  BatcherConfig config_;
  std::unique_ptr<Source> owned_;  // the view, when constructed from a Dataset
  const Source* source_;
  Rng rng_;  // never advanced: each epoch derives its own stream from a copy
  std::vector<int64_t> order_;
  int64_t cursor_ = 0;
  bool started_ = false;
};

}  // namespace occam::data
