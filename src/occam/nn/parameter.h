// A trainable tensor and everything that acts on it besides the data loss: its regularizer
// (a term of the objective) and its constraint (a projection after each update).
#pragma once

#include <memory>
#include <string>

#include "occam/autograd/var.h"
#include "occam/regularize/constraint.h"
#include "occam/regularize/regularizer.h"

namespace occam::nn {

struct Parameter {
  std::string name;  // "dense_1/kernel": unique in a model; used in logs, checkpoints, explain
  Var value;         // a leaf; its grad accumulates until zero_grad
  regularize::Layout layout = regularize::Layout::vector;
  bool trainable = true;
  std::unique_ptr<regularize::Regularizer> regularizer;  // null: not penalized
  std::unique_ptr<regularize::Constraint> constraint;    // null: not projected

  Parameter() = default;
  Parameter(std::string name, Tensor init, regularize::Layout layout);

  Tensor& data() { return value.value(); }
  const Tensor& data() const { return value.value(); }
  Tensor& grad() { return value.ensure_grad(); }
  int64_t numel() const { return value.numel(); }
  void zero_grad();
};

// A non-trainable tensor a layer keeps between steps (batch-norm running statistics).
struct Buffer {
  std::string name;  // "batch_normalization_1/moving_mean"
  Tensor value;
};

}  // namespace occam::nn
