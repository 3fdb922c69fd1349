// Module: a layer or a model. It names its parameters and hands them out; it may carry an
// activity regularizer, applied to its output by the model that calls it (Sequential), so that
// every term of the objective can be traced back to a name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "occam/nn/parameter.h"
#include "occam/tensor/rng.h"

namespace occam::nn {

enum class Mode { train, eval };

// A named scalar of the objective, with what explaining it needs.
struct Term {
  std::string name;       // "dense_1/kernel/l2", "dense_1/activity/l2", "classification_loss"
  Var value;              // a scalar
  std::string source;     // the parameter or layer output it penalizes ("dense_1/kernel")
  std::string formula;    // "1e-04·Σw² (keras)"
  int64_t size = 0;       // elements of the penalized tensor
  float divisor = 1.f;    // activity terms: the batch size the penalty was divided by
  double grad_norm = -1;  // ‖∂term/∂(what it penalizes)‖ when measured, else -1
  // Penalties: the regularizer that made the term (owned by the model, which outlives the
  // step), and whether it penalizes a parameter or a layer's output. Data terms: null, "".
  const regularize::Regularizer* regularizer = nullptr;
  std::string applies_to;  // "parameter", "activity", or "" for a data term
};

// Everything a forward pass may depend on besides its inputs.
struct StepContext {
  Mode mode = Mode::eval;
  Rng* rng = nullptr;  // dropout and noise layers draw from it (train mode)
  std::vector<Term>* activity_terms = nullptr;  // where activity penalties go; null: not computed
  bool measure_grad_norms = false;  // fill Term::grad_norm (logging steps only: it costs a pass)
  bool training() const { return mode == Mode::train; }
};

// A named output of a model: "output" for a single-output model; a detector names its heads
// ("box_encodings", "class_predictions").
struct Output {
  std::string name;
  Var value;
};
using Outputs = std::vector<Output>;

// The output named `name` (throws naming the outputs there are).
const Var& output(const Outputs& outputs, std::string_view name);

class Module {
 public:
  virtual ~Module() = default;
  virtual Var forward(const Var& x, StepContext& ctx) = 0;
  // Every output of the model for input x, in a fixed order; a single-output module gives
  // {{"output", (*this)(x, ctx)}}. Multi-output models override this (and forward gives the first).
  virtual Outputs forward_outputs(const Var& x, StepContext& ctx) {
    return {{"output", (*this)(x, ctx)}};
  }
  virtual std::vector<Parameter*> parameters() { return {}; }
  virtual std::vector<Buffer*> buffers() { return {}; }
  // The output shape for an input of shape `in` (batch dim included); validates the input.
  virtual Shape output_shape(const Shape& in) const = 0;

  // What explain says about a layer: it adds noise only in training (the dropout family), or it
  // normalizes its input (batch norm: the kernel before it is scale-invariant, so an L2 on it
  // shrinks the norm without changing the function).
  virtual bool train_only_noise() const { return false; }
  virtual bool normalizes() const { return false; }
  // The Keras base name ("dense", "conv2d"); "module" for a module that is not a layer.
  virtual std::string_view type_name() const { return "module"; }

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // λ-penalty on this module's output, divided by the batch size (Keras ≥ 3.14, tf.keras).
  std::unique_ptr<regularize::Regularizer> activity_regularizer;

  // Applies forward, then the activity regularizer (if any, and if ctx collects terms).
  Var operator()(const Var& x, StepContext& ctx);

 protected:
  std::string name_;
};

}  // namespace occam::nn
