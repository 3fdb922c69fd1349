// A labelled dataset held in memory, validation splits, and seeded batching.
// inputs [N, ...sample shape] float32 (images NCHW: [N, C, H, W]), labels [N] in [0, num_classes).
// Batches are copies [B, ...sample shape] in a per-epoch Fisher–Yates order driven by occam::Rng.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "occam/tensor/rng.h"
#include "occam/tensor/tensor.h"

namespace occam::data {

struct Dataset {
  Tensor inputs;                         // [N, ...]
  std::vector<int64_t> labels;           // [N], each in [0, num_classes)
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

// One batch, copied contiguously. B = size() is batch_size, or less for the last batch.
// Batcher::next() refills it in place: a Tensor copied from `inputs` shares its storage and
// sees the next batch's values (clone() what must outlive the step).
struct Batch {
  Tensor inputs;                 // [B, ...sample shape]
  std::vector<int64_t> labels;   // [B]
  std::vector<int64_t> indices;  // [B] positions in the dataset
  int64_t size() const { return static_cast<int64_t>(labels.size()); }

  // The buffer of the other batch size (full or last), kept so that epochs whose last batch
  // is partial allocate nothing after the first one.
  Tensor spare_inputs;
};

struct BatcherConfig {
  int64_t batch_size = 32;  // >= 1
  bool shuffle = true;      // false: dataset order every epoch
  bool drop_last = false;   // true: skip a last batch smaller than batch_size
};

// Cuts a dataset into batches, one epoch at a time:
//   Batcher batcher(train, {.batch_size = 64}, rng.fork());
//   Batch batch;
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     batcher.start_epoch(epoch);
//     while (batcher.next(batch)) step(batch);
//   }
// The order of epoch e depends only on (the Rng given here, e): epoch e shuffles the identity
// with Rng(k_e), k_e the e-th value of rng.next_u64(); a resumed run replays the same batches.
// The Batcher keeps a reference to `dataset`, which must outlive it.
class Batcher {
 public:
  Batcher(const Dataset& dataset, BatcherConfig config, Rng rng);

  void start_epoch(int64_t epoch);
  // Fills `batch` with the next batch of this epoch; false (batch untouched) when none is left.
  bool next(Batch& batch);

  int64_t batches_per_epoch() const;
  std::span<const int64_t> order() const { return order_; }  // this epoch's sample order
  const BatcherConfig& config() const { return config_; }

 private:
  const Dataset& dataset_;
  BatcherConfig config_;
  Rng rng_;  // never advanced: each epoch derives its own stream from a copy
  int64_t sample_numel_ = 0;
  std::vector<int64_t> order_;
  int64_t cursor_ = 0;
  bool started_ = false;
};

}  // namespace occam::data
