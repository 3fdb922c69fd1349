// Classification metrics over a batch of logits [N,C] and integer labels.
#pragma once

#include <cstdint>
#include <span>

#include "occam/tensor/tensor.h"

namespace occam::train {

// Number of rows whose label is among the k largest logits (ties broken toward the lower index,
// so a row of equal logits counts only for labels < k).
int64_t count_top_k(const Tensor& logits, std::span<const int64_t> labels, int k);

// Running mean of a metric or loss over an epoch, weighted by batch size (as Keras' History).
class RunningMean {
 public:
  void add(double value, int64_t weight) {
    sum_ += value * double(weight);
    weight_ += weight;
  }
  double mean() const { return weight_ ? sum_ / double(weight_) : 0.0; }
  int64_t count() const { return weight_; }

 private:
  double sum_ = 0;
  int64_t weight_ = 0;
};

}  // namespace occam::train
