#include "occam/nn/conv2d.h"

namespace occam::nn {

std::string_view to_string(Padding padding) { return padding == Padding::same ? "same" : "valid"; }

Conv2D::Conv2D(const Conv2DOptions& options, int64_t in_channels, Rng& rng)
    : options_(options), in_(in_channels) {
  set_name(options_.name);
  const Size2 k = options_.kernel_size, s = options_.strides;
  OCCAM_CHECK(options_.filters >= 1, label(), ": expected filters >= 1, got ", options_.filters);
  OCCAM_CHECK(k[0] >= 1 && k[1] >= 1, label(), ": expected kernel_size >= 1, got ", k[0], "x",
              k[1]);
  OCCAM_CHECK(s[0] >= 1 && s[1] >= 1, label(), ": expected strides >= 1, got ", s[0], "x", s[1]);
  OCCAM_CHECK(in_ >= 1, label(), ": expected in_channels >= 1, got ", in_);
  kernel_ =
      Parameter(scoped("kernel"),
                initialize(options_.kernel_initializer, {options_.filters, in_, k[0], k[1]}, rng),
                regularize::Layout::conv_kernel);
  if (options_.use_bias)
    bias_ =
        Parameter(scoped("bias"), initialize(options_.bias_initializer, {options_.filters}, rng),
                  regularize::Layout::vector);
  attach(options_.attach);
}

std::vector<Parameter*> Conv2D::parameters() {
  if (options_.use_bias) return {&kernel_, &bias_};
  return {&kernel_};
}

Padding2d ConvGeometry::padding_for(int64_t H, int64_t W) const {
  if (padding == Padding::valid) return {};
  return same_padding({H, W}, kernel_size, strides);
}

Shape ConvGeometry::output_shape(std::string_view label, const Shape& in, int64_t in_channels,
                                 int64_t out_channels) const {
  OCCAM_CHECK(in.size() == 4 && in[1] == in_channels && in[2] >= 1 && in[3] >= 1, label,
              ": expected x [N,", in_channels, ",H,W], got ", in);
  const Padding2d p = padding_for(in[2], in[3]);
  const Size2 k = kernel_size, s = strides;
  const int64_t H = p.top + in[2] + p.bottom, W = p.left + in[3] + p.right;  // padded
  OCCAM_CHECK(k[0] <= H && k[1] <= W, label, ": kernel ", k[0], "x", k[1],
              " larger than the padded input ", H, "x", W, " (x ", in, ", padding ",
              to_string(padding), ")");
  return {in[0], out_channels, (H - k[0]) / s[0] + 1, (W - k[1]) / s[1] + 1};
}

Padding2d Conv2D::padding_for(int64_t H, int64_t W) const {
  return ConvGeometry{options_.kernel_size, options_.strides, options_.padding}.padding_for(H, W);
}

Shape Conv2D::output_shape(const Shape& in) const {
  return ConvGeometry{options_.kernel_size, options_.strides, options_.padding}.output_shape(
      label(), in, in_, options_.filters);
}

Var Conv2D::forward(const Var& x, StepContext&) {
  output_shape(x.shape());
  const Var bias = options_.use_bias ? bias_.value : Var();
  const Padding2d padding = padding_for(x.dim(2), x.dim(3));
  if (options_.activation == Activation::relu)
    return conv2d_relu(x, kernel_.value, bias, options_.strides, padding);
  Var y = conv2d(x, kernel_.value, bias, options_.strides, padding);
  return apply_activation(y, options_.activation);
}

}  // namespace occam::nn
