#include "occam/nn/dropout.h"

#include <algorithm>
#include <cmath>

#include "occam/autograd/nn_ops.h"
#include "occam/autograd/ops.h"
#include "occam/tensor/parallel.h"

namespace occam::nn {

namespace {
void check_rate(const std::string& who, float rate) {
  OCCAM_CHECK(rate >= 0.f && rate < 1.f, who, ": expected 0 <= rate < 1, got ", rate);
}

Rng& rng_of(const StepContext& ctx, const std::string& who) {
  OCCAM_CHECK(ctx.rng != nullptr, who, ": train mode needs StepContext::rng to draw from");
  return *ctx.rng;
}

// The inverted-dropout multiplier keep[i]/(1 − rate): what dropout_with_mask(x, keep, rate)
// multiplies x by (the same floats), drawn and scaled in one pass.
//   key = rng.next_u64()   (the generator advances by one draw per mask)
//   u_i = splitmix64_at(key, i) >> 40, a uniform 24-bit integer, i.e. uniform() = u_i·2⁻²⁴
//   keep[i] = u_i >= ⌈rate·2²⁴⌉   ⇔   u_i·2⁻²⁴ >= rate
// Counter-based, so large masks are drawn in chunks by the task pool, in vector registers; the
// mask depends on the key and the index only, never on the threads.
Tensor scaled_keep_mask(Shape shape, float rate, Rng& rng) {
  Tensor mask = Tensor::empty(std::move(shape));
  const uint64_t threshold = uint64_t(std::ceil(double(rate) * 16777216.0));
  const float kept = 1.f / (1.f - rate);
  const uint64_t key = rng.next_u64();
  float* out = mask.data();
  const int64_t n = mask.numel();
  constexpr int64_t kChunk = 1 << 15;
  kernels::parallel_tasks((n + kChunk - 1) / kChunk, [&](int64_t k) {
    float* __restrict m = out;  // locals, not captured variables: the loop vectorizes
    const uint64_t key_ = key, threshold_ = threshold;
    const float kept_ = kept;
    const int64_t end = std::min(n, (k + 1) * kChunk);
#pragma omp simd
    for (int64_t i = k * kChunk; i < end; ++i)
      m[i] = (splitmix64_at(key_, uint64_t(i)) >> 40) >= threshold_ ? kept_ : 0.f;
  });
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
