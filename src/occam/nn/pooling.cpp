#include "occam/nn/pooling.h"

namespace occam::nn {

Pool2D::Pool2D(Pool2DOptions options) : options_(std::move(options)) {
  set_name(options_.name);
  // label() needs type_name(), which a base constructor cannot call yet.
  const std::string who = options_.name.empty() ? "pooling" : options_.name;
  const Size2 k = options_.pool_size, s = strides();
  OCCAM_CHECK(k[0] >= 1 && k[1] >= 1, who, ": expected pool_size >= 1, got ", k[0], "x", k[1]);
  OCCAM_CHECK(s[0] >= 1 && s[1] >= 1, who, ": expected strides >= 1, got ", s[0], "x", s[1]);
}

Shape Pool2D::output_shape(const Shape& in) const {
  OCCAM_CHECK(in.size() == 4, label(), ": expected x [N,C,H,W], got ", in);
  const Size2 k = options_.pool_size, s = strides();
  OCCAM_CHECK(k[0] <= in[2] && k[1] <= in[3], label(), ": pool_size ", k[0], "x", k[1],
              " larger than the input ", in[2], "x", in[3], " (x ", in, ")");
  return {in[0], in[1], (in[2] - k[0]) / s[0] + 1, (in[3] - k[1]) / s[1] + 1};
}

Var Pool2D::forward(const Var& x, StepContext&) {
  output_shape(x.shape());
  return pool(x);
}

Shape GlobalAvgPool2D::output_shape(const Shape& in) const {
  OCCAM_CHECK(in.size() == 4 && in[2] >= 1 && in[3] >= 1, label(),
              ": expected x [N,C,H,W] with H, W >= 1, got ", in);
  return {in[0], in[1]};
}

Var GlobalAvgPool2D::forward(const Var& x, StepContext&) {
  output_shape(x.shape());
  return global_avg_pool2d(x);
}

}  // namespace occam::nn
