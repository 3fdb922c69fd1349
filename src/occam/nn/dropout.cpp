#include "occam/nn/dropout.h"

#include <cmath>

#include "occam/autograd/nn_ops.h"
#include "occam/autograd/ops.h"

namespace occam::nn {

namespace {
void check_rate(const std::string& who, float rate) {
  OCCAM_CHECK(rate >= 0.f && rate < 1.f, who, ": expected 0 <= rate < 1, got ", rate);
}

Rng& rng_of(const StepContext& ctx, const std::string& who) {
  OCCAM_CHECK(ctx.rng != nullptr, who, ": train mode needs StepContext::rng to draw from");
  return *ctx.rng;
}

// The inverted-dropout multiplier keep[i]/(1 − rate), keep[i] = (rng.uniform() >= rate) with one
// draw per element, in order: what dropout_with_mask(x, keep, rate) multiplies x by (the same
// floats), drawn and scaled in one pass. uniform() is u·2⁻²⁴ for the integer u = next_u64() >> 40
// (exactly), so the test is u >= ⌈rate·2²⁴⌉ on integers: no branch per element.
Tensor scaled_keep_mask(Shape shape, float rate, Rng& rng) {
  Tensor mask = Tensor::empty(std::move(shape));
  const uint64_t threshold = uint64_t(std::ceil(double(rate) * 16777216.0));
  const float kept = 1.f / (1.f - rate);
  Rng local = rng;  // a local copy keeps the generator's state in registers
  float* m = mask.data();
  for (int64_t i = 0; i < mask.numel(); ++i)
    m[i] = (local.next_u64() >> 40) >= threshold ? kept : 0.f;
  rng = local;
  return mask;
}
}  // namespace

Dropout::Dropout(DropoutOptions options) : options_(std::move(options)) {
  set_name(options_.name);
  check_rate(label(), options_.rate);
}

Var Dropout::forward(const Var& x, StepContext& ctx) {
  if (!ctx.training() || options_.rate == 0.f) return x;
  return mul_by_mask(x, scaled_keep_mask(x.shape(), options_.rate, rng_of(ctx, label())));
}

SpatialDropout2D::SpatialDropout2D(DropoutOptions options) : options_(std::move(options)) {
  set_name(options_.name);
  check_rate(label(), options_.rate);
}

Shape SpatialDropout2D::output_shape(const Shape& in) const {
  OCCAM_CHECK(in.size() == 4, label(), ": expected x [N,C,H,W], got ", in);
  return in;
}

Var SpatialDropout2D::forward(const Var& x, StepContext& ctx) {
  output_shape(x.shape());
  if (!ctx.training() || options_.rate == 0.f) return x;
  return mul_by_mask(
      x, scaled_keep_mask({x.dim(0), x.dim(1), 1, 1}, options_.rate, rng_of(ctx, label())));
}

GaussianDropout::GaussianDropout(DropoutOptions options) : options_(std::move(options)) {
  set_name(options_.name);
  check_rate(label(), options_.rate);
}

Var GaussianDropout::forward(const Var& x, StepContext& ctx) {
  if (!ctx.training() || options_.rate == 0.f) return x;
  Rng& rng = rng_of(ctx, label());
  const float stddev = std::sqrt(options_.rate / (1.f - options_.rate));
  Tensor m = Tensor::empty(x.shape());
  for (float& v : m.span()) v = 1.f + stddev * rng.normal();
  return mul_by_mask(x, m);
}

GaussianNoise::GaussianNoise(GaussianNoiseOptions options) : options_(std::move(options)) {
  set_name(options_.name);
  OCCAM_CHECK(options_.stddev >= 0.f, label(), ": expected stddev >= 0, got ", options_.stddev);
}

Var GaussianNoise::forward(const Var& x, StepContext& ctx) {
  if (!ctx.training() || options_.stddev == 0.f) return x;
  Rng& rng = rng_of(ctx, label());
  Tensor noise = Tensor::empty(x.shape());
  for (float& v : noise.span()) v = options_.stddev * rng.normal();
  return x + constant(noise);
}

}  // namespace occam::nn
