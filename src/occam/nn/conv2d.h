// Conv2D layer: y = activation(conv(x, W) + b).
//   x [N, C, H, W]   W [filters, C, KH, KW] (OIHW)   b [filters]   y [N, filters, OH, OW]
// Parameters "<name>/kernel" (layout conv_kernel) and "<name>/bias".
// padding valid: none, OH = (H − KH)/SH + 1.  same: Keras/TF, OH = ceil(H/SH); the padding is
// computed for each input size, with the odd pixel at the bottom/right (not torch's
// symmetric padding when the stride is 2 and the input is even).
#pragma once

#include <cstdint>
#include <string>

#include "occam/autograd/nn_ops.h"
#include "occam/nn/activation.h"
#include "occam/nn/initializer.h"
#include "occam/nn/layer.h"

namespace occam::nn {

enum class Padding { valid, same };
std::string_view to_string(Padding padding);

struct Conv2DOptions {
  int64_t filters = 0;      // required, >= 1
  Size2 kernel_size{0, 0};  // required, each >= 1
  Size2 strides{1, 1};
  Padding padding = Padding::valid;
  Activation activation = Activation::linear;
  bool use_bias = true;
  Initializer kernel_initializer = Initializer::glorot_uniform;
  Initializer bias_initializer = Initializer::zeros;
  std::string name;    // empty: named by Sequential::add ("conv2d_1")
  Attachments attach;  // regularizers, constraints, activity regularizer, trainable (nn/layer.h)
};

// The padding and output shape of a 2-D convolution layer (Conv2D, DepthwiseConv2D): x
// [N, in_channels, H, W] → [N, out_channels, H', W']; throws naming `label` when x does not fit.
struct ConvGeometry {
  Size2 kernel_size, strides;
  Padding padding = Padding::valid;
  Padding2d padding_for(int64_t H, int64_t W) const;
  Shape output_shape(std::string_view label, const Shape& in, int64_t in_channels,
                     int64_t out_channels) const;
};

class Conv2D final : public Layer {
 public:
  // Draws the kernel, then the bias, from rng.
  Conv2D(const Conv2DOptions& options, int64_t in_channels, Rng& rng);

  Var forward(const Var& x, StepContext& ctx) override;
  std::vector<Parameter*> parameters() override;
  Shape output_shape(const Shape& in) const override;
  std::string_view type_name() const override { return "conv2d"; }

  Parameter& kernel() { return kernel_; }
  Parameter* bias() { return options_.use_bias ? &bias_ : nullptr; }  // null without use_bias
  const Conv2DOptions& options() const { return options_; }
  int64_t in_channels() const { return in_; }
  // The zero padding applied to an H×W input.
  Padding2d padding_for(int64_t H, int64_t W) const;

 private:
  Conv2DOptions options_;
  int64_t in_;
  Parameter kernel_;
  Parameter bias_;
};

}  // namespace occam::nn
