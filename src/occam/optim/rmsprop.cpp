#include "occam/optim/rmsprop.h"

#include <algorithm>
#include <cmath>

namespace occam::optim {

void validate(const RmspropOptions& o) {
  const auto fail = [](const std::string& what) { throw ConfigError("rmsprop: " + what); };
  if (!(o.alpha >= 0.f && o.alpha < 1.f))
    fail("expected alpha in [0, 1), got " + detail::coefficient(o.alpha));
  if (!(std::isfinite(o.eps) && o.eps > 0.f))
    fail("expected eps > 0, got " + detail::coefficient(o.eps));
  if (!(std::isfinite(o.weight_decay) && o.weight_decay >= 0.f))
    fail("expected weight_decay >= 0, got " + detail::coefficient(o.weight_decay));
  if (!(o.momentum >= 0.f && o.momentum < 1.f))
    fail("expected momentum in [0, 1), got " + detail::coefficient(o.momentum));
}

namespace {
// torch's state order: square_avg, momentum_buffer, grad_avg.
std::vector<std::string> buffer_names(const RmspropOptions& o) {
  std::vector<std::string> names = {"square_avg"};
  if (o.momentum > 0.f) names.push_back("momentum_buffer");
  if (o.centered) names.push_back("grad_avg");
  return names;
}
}  // namespace

Rmsprop::Rmsprop(std::vector<nn::Parameter*> params, RmspropOptions options)
    : Optimizer(std::move(params), buffer_names(options), /*counts_steps=*/true),
      options_(options) {
  validate(options_);
}

void Rmsprop::update(Tensor& weights, const Tensor& grad, Slot& slot, float lr, Range r) {
  const float alpha = options_.alpha, eps = options_.eps, wd = options_.weight_decay;
  const float mu = options_.momentum;
  const bool centered = options_.centered;
  for (Tensor& b : slot.buffers)
    if (!b.defined()) b = Tensor::zeros(weights.shape());
  size_t k = 0;
  float* v = slot.buffers[k++].data();
  float* b = mu > 0.f ? slot.buffers[k++].data() : nullptr;
  float* gbar = centered ? slot.buffers[k++].data() : nullptr;
  float* w = weights.data();
  const float* g = grad.data();
#pragma omp simd
  for (int64_t i = r.begin; i < r.end; ++i) {
    const float d = g[i] + wd * w[i];
    v[i] = alpha * v[i] + (1.f - alpha) * d * d;
    float variance = v[i];
    if (centered) {
      gbar[i] = alpha * gbar[i] + (1.f - alpha) * d;
      // v ≥ ḡ² in exact arithmetic; rounding can make the difference −0.0…01, where torch
      // would take the sqrt of a negative number (NaN). Clamping changes nothing else.
      variance = std::max(v[i] - gbar[i] * gbar[i], 0.f);
    }
    const float s = std::sqrt(variance) + eps;
    if (b) {
      b[i] = mu * b[i] + d / s;
      w[i] -= lr * b[i];
    } else {
      w[i] -= lr * (d / s);
    }
  }
}

WeightDecay Rmsprop::describe_weight_decay() const {
  const float wd = options_.weight_decay;
  if (wd == 0.f) return {WeightDecayKind::none, 0.f, false, "none"};
  return {WeightDecayKind::coupled, wd, false,
          "g ← g + " + detail::coefficient(wd) + "·w before the square average (coupled, torch " +
              "RMSprop): an L2 gradient divided by the adaptive denominator"};
}

}  // namespace occam::optim
