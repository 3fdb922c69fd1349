// The tape: define-by-run reverse-mode autodiff at tensor granularity.
// An op computes its output and, in the same function, records how its inputs get their
// gradients (record()). backward(root) walks the recorded graph once, in reverse topological
// order; gradients accumulate (+=) into each input's grad buffer. Leaves that require grad
// (parameters) keep their gradient until zeroed; the graph is consumed by backward().
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "occam/tensor/layout_copy.h"
#include "occam/tensor/tensor.h"

namespace occam {

struct Node;
using BackwardFn = std::function<void(Node&)>;

struct Node {
  const char* op = "leaf";  // a label for errors and graph dumps, never a key
  Tensor value;
  Tensor grad;  // ∂root/∂value; zero-filled when first needed
  bool requires_grad = false;
  std::vector<std::shared_ptr<Node>> inputs;
  BackwardFn backward;  // reads grad (dy), adds into inputs' grads
  // A fusion across two ops, for a ReLU output read by one op only (conv2d → max pool):
  //  relu_output: value = max(·, 0) and this node's backward starts by zeroing its gradient
  //    where value <= 0 (set by dense_relu and conv2d_relu);
  //  grad_relu_masked: the one consumer wrote the whole gradient already zero there, so that
  //    pass may be skipped (the same bits: it would change nothing);
  //  consumers: the uses of this node by the ops that backward() visits, counted by backward().
  bool relu_output = false;
  bool grad_relu_masked = false;
  int consumers = 0;
  // The value, and the gradient, also in a kernel library's layout (tensor/layout_copy.h): a
  // convolution keeps its output in oneDNN's layout for a convolution that reads it, and that
  // one, when it is the only reader, hands its input gradient back in that layout. When
  // grad_copy is defined it is the gradient, and `grad` is an unwritten buffer of the right shape
  // (so that backward() visits the node); only ops that set value_copy read grad_copy.
  kernels::LayoutCopy value_copy, grad_copy;

  const Tensor& input(size_t i) const { return inputs[i]->value; }
  bool needs_grad(size_t i) const { return inputs[i]->requires_grad; }
  Tensor& grad_of(size_t i);  // input i's gradient buffer, allocated (zero-filled) on first use
  // For an op that can write its whole contribution to input i's gradient in one pass: true when
  // input i has no gradient buffer yet, which is then allocated uninitialized for the op to write
  // (=) instead of adding (+=) to zeros; false when the buffer exists (add to it, as usual).
  bool first_grad_of(size_t i);
  Tensor& ensure_grad();  // this node's gradient buffer, allocated on first use
};

class Var {
 public:
  Var() = default;
  explicit Var(std::shared_ptr<Node> node) : node_(std::move(node)) {}

  bool defined() const { return node_ != nullptr; }
  const Tensor& value() const { return node_->value; }
  Tensor& value() { return node_->value; }
  // The gradient buffer (undefined until backward reached this var or ensure_grad()).
  const Tensor& grad() const { return node_->grad; }
  Tensor& grad() { return node_->grad; }
  Tensor& ensure_grad() { return node_->ensure_grad(); }
  const Shape& shape() const { return node_->value.shape(); }
  int rank() const { return node_->value.rank(); }
  int64_t dim(int i) const { return node_->value.dim(i); }
  int64_t numel() const { return node_->value.numel(); }
  float item() const { return node_->value.item(); }
  bool requires_grad() const { return node_->requires_grad; }
  const char* op() const { return node_->op; }
  Node* node() const { return node_.get(); }
  const std::shared_ptr<Node>& node_ptr() const { return node_; }

 private:
  std::shared_ptr<Node> node_;
};

// A value that never receives a gradient.
Var constant(Tensor t);
// A leaf whose gradient accumulates across backward calls (a parameter's value).
Var leaf(Tensor t, bool requires_grad = true);

// Records an op: y with its inputs and backward. When no input requires grad (or in
// inference mode) nothing is recorded and y comes back as a constant.
Var record(const char* op, Tensor y, const std::vector<Var>& inputs, BackwardFn backward);

// Seeds ∂root/∂root = 1 (root must hold one element) and runs the tape.
void backward(const Var& root);
// Seeds ∂root/∂root = seed (same shape as root).
void backward(const Var& root, const Tensor& seed);

// Inference mode: while an InferenceMode object lives on this thread, ops record nothing.
bool grad_enabled();
class InferenceMode {
 public:
  InferenceMode();
  ~InferenceMode();
  InferenceMode(const InferenceMode&) = delete;
  InferenceMode& operator=(const InferenceMode&) = delete;

 private:
  bool previous_;
};

}  // namespace occam
