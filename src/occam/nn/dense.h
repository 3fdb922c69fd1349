// Dense layer: y = activation(x·W + b).   x [N, in]   W [in, out] (Keras layout)   b [out]
// Parameters "<name>/kernel" (layout dense_kernel) and "<name>/bias".
#pragma once

#include <cstdint>
#include <string>

#include "occam/nn/activation.h"
#include "occam/nn/initializer.h"
#include "occam/nn/layer.h"

namespace occam::nn {

struct DenseOptions {
  int64_t units = 0;  // required, >= 1
  Activation activation = Activation::linear;
  bool use_bias = true;
  Initializer kernel_initializer = Initializer::glorot_uniform;
  Initializer bias_initializer = Initializer::zeros;
  std::string name;    // empty: named by Sequential::add ("dense_1")
  Attachments attach;  // regularizers, constraints, activity regularizer, trainable (nn/layer.h)
};

class Dense final : public Layer {
 public:
  // Draws the kernel, then the bias, from rng.
  Dense(const DenseOptions& options, int64_t in_features, Rng& rng);

  Var forward(const Var& x, StepContext& ctx) override;
  std::vector<Parameter*> parameters() override;
  Shape output_shape(const Shape& in) const override;
  std::string_view type_name() const override { return "dense"; }

  Parameter& kernel() { return kernel_; }
  Parameter* bias() { return options_.use_bias ? &bias_ : nullptr; }  // null without use_bias
  const DenseOptions& options() const { return options_; }
  int64_t in_features() const { return in_; }

 private:
  DenseOptions options_;
  int64_t in_;
  Parameter kernel_;
  Parameter bias_;
};

}  // namespace occam::nn
