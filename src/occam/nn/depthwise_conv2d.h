// DepthwiseConv2D layer (Keras): every input channel convolved with its own depth_multiplier
// filters, y = activation(depthwise_conv(x, W) + b).
//   x [N, C, H, W]   W [C·M, 1, KH, KW] (torch's layout for groups = C)   b [C·M]
//   y [N, C·M, OH, OW]; output channel c·M + m comes from input channel c (Keras's order), so
//   Keras's kernel [KH, KW, C, M] element [p, q, c, m] is W[c·M + m, 0, p, q].
// Parameters "<name>/depthwise_kernel" (tf.keras's name, which the TF Object Detection API's
// checkpoints carry; Keras 3 calls it "kernel") and "<name>/bias".
// Initial weights use Keras's fans of [KH, KW, C, M]: fan_in = C·KH·KW, fan_out = M·KH·KW (the
// fans of the OIHW-style shape would be KH·KW and C·M·KH·KW).
// Regularizers and constraints attach to the kernel as to any kernel. A constraint sees it as a
// conv kernel (regularize::Layout::conv_kernel): one unit per output channel, its KH×KW filter
// (Keras axis=[0, 1] on [KH, KW, C, M]; Conv2D's unit is likewise one whole filter).
// padding as Conv2D: valid, or Keras 'same' (the odd pixel at the bottom/right).
#pragma once

#include <cstdint>
#include <string>

#include "occam/autograd/nn_ops.h"
#include "occam/nn/activation.h"
#include "occam/nn/conv2d.h"
#include "occam/nn/initializer.h"
#include "occam/nn/layer.h"

namespace occam::nn {

struct DepthwiseConv2DOptions {
  Size2 kernel_size{0, 0};  // required, each >= 1
  Size2 strides{1, 1};
  Padding padding = Padding::valid;
  int64_t depth_multiplier = 1;  // M, >= 1: output channels per input channel
  Activation activation = Activation::linear;
  bool use_bias = true;
  Initializer depthwise_initializer = Initializer::glorot_uniform;
  Initializer bias_initializer = Initializer::zeros;
  std::string name;    // empty: named by Sequential::add ("depthwise_conv2d_1")
  Attachments attach;  // regularizers, constraints, activity regularizer, trainable (nn/layer.h)
};

class DepthwiseConv2D final : public Layer {
 public:
  // Draws the kernel, then the bias, from rng.
  DepthwiseConv2D(const DepthwiseConv2DOptions& options, int64_t in_channels, Rng& rng);

  Var forward(const Var& x, StepContext& ctx) override;
  std::vector<Parameter*> parameters() override;
  Shape output_shape(const Shape& in) const override;
  std::string_view type_name() const override { return "depthwise_conv2d"; }

  Parameter& depthwise_kernel() { return kernel_; }
  Parameter* bias() { return options_.use_bias ? &bias_ : nullptr; }  // null without use_bias
  const DepthwiseConv2DOptions& options() const { return options_; }
  int64_t in_channels() const { return in_; }
  int64_t out_channels() const { return in_ * options_.depth_multiplier; }
  // The zero padding applied to an H×W input.
  Padding2d padding_for(int64_t H, int64_t W) const;

 private:
  DepthwiseConv2DOptions options_;
  int64_t in_;
  Parameter kernel_;
  Parameter bias_;
};

}  // namespace occam::nn
