#include "occam/nn/depthwise_conv2d.h"

namespace occam::nn {

DepthwiseConv2D::DepthwiseConv2D(const DepthwiseConv2DOptions& options, int64_t in_channels,
                                 Rng& rng)
    : options_(options), in_(in_channels) {
  set_name(options_.name);
  const Size2 k = options_.kernel_size, s = options_.strides;
  const int64_t M = options_.depth_multiplier;
  OCCAM_CHECK(k[0] >= 1 && k[1] >= 1, label(), ": expected kernel_size >= 1, got ", k[0], "x",
              k[1]);
  OCCAM_CHECK(s[0] >= 1 && s[1] >= 1, label(), ": expected strides >= 1, got ", s[0], "x", s[1]);
  OCCAM_CHECK(M >= 1, label(), ": expected depth_multiplier >= 1, got ", M);
  OCCAM_CHECK(in_ >= 1, label(), ": expected in_channels >= 1, got ", in_);
  const double taps = double(k[0] * k[1]);
  const Fans keras_fans{.in = double(in_) * taps, .out = double(M) * taps};  // of [KH,KW,C,M]
  kernel_ = Parameter(
      scoped("depthwise_kernel"),
      initialize(options_.depthwise_initializer, {in_ * M, 1, k[0], k[1]}, keras_fans, rng),
      regularize::Layout::conv_kernel);
  if (options_.use_bias)
    bias_ = Parameter(scoped("bias"), initialize(options_.bias_initializer, {in_ * M}, rng),
                      regularize::Layout::vector);
  attach(options_.attach);
}

std::vector<Parameter*> DepthwiseConv2D::parameters() {
  if (options_.use_bias) return {&kernel_, &bias_};
  return {&kernel_};
}

Padding2d DepthwiseConv2D::padding_for(int64_t H, int64_t W) const {
  return ConvGeometry{options_.kernel_size, options_.strides, options_.padding}.padding_for(H, W);
}

Shape DepthwiseConv2D::output_shape(const Shape& in) const {
  return ConvGeometry{options_.kernel_size, options_.strides, options_.padding}.output_shape(
      label(), in, in_, out_channels());
}

Var DepthwiseConv2D::forward(const Var& x, StepContext&) {
  output_shape(x.shape());
  const Var bias = options_.use_bias ? bias_.value : Var();
  Var y = conv2d(x, kernel_.value, bias, options_.strides, padding_for(x.dim(2), x.dim(3)),
                 /*groups=*/in_);
  return apply_activation(y, options_.activation);
}

}  // namespace occam::nn
