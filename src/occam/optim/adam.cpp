#include "occam/optim/adam.h"

#include <cmath>

namespace occam::optim {

namespace {

void check_adam(const char* optimizer, float beta1, float beta2, float eps, float weight_decay) {
  const auto fail = [&](const std::string& what) {
    throw ConfigError(std::string(optimizer) + ": " + what);
  };
  if (!(beta1 >= 0.f && beta1 < 1.f))
    fail("expected beta1 in [0, 1), got " + detail::coefficient(beta1));
  if (!(beta2 >= 0.f && beta2 < 1.f))
    fail("expected beta2 in [0, 1), got " + detail::coefficient(beta2));
  if (!(std::isfinite(eps) && eps > 0.f)) fail("expected eps > 0, got " + detail::coefficient(eps));
  if (!(std::isfinite(weight_decay) && weight_decay >= 0.f))
    fail("expected weight_decay >= 0, got " + detail::coefficient(weight_decay));
}

// One Adam update of w, in place, as the header's formula; `coupled` and `decoupled` are the
// weight-decay coefficients (one of them 0). m and v are allocated (zeros) at the first update.
// The bias corrections are computed in double, as torch computes them in Python floats.
void adam_update(Tensor& weights, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 Optimizer::Range r, int64_t step, float lr, float beta1, float beta2, float eps,
                 float coupled, float decoupled) {
  if (!exp_avg.defined()) exp_avg = Tensor::zeros(weights.shape());
  if (!exp_avg_sq.defined()) exp_avg_sq = Tensor::zeros(weights.shape());
  const float step_size = float(double(lr) / (1.0 - std::pow(double(beta1), double(step))));
  const float bias_correction2_sqrt = float(std::sqrt(1.0 - std::pow(double(beta2), double(step))));
  const float shrink = 1.f - lr * decoupled;
  float* __restrict w = weights.data();
  const float* __restrict g = grad.data();
  float* __restrict m = exp_avg.data();
  float* __restrict v = exp_avg_sq.data();
#pragma omp simd
  for (int64_t i = r.begin; i < r.end; ++i) {
    w[i] *= shrink;
    const float d = g[i] + coupled * w[i];
    m[i] = beta1 * m[i] + (1.f - beta1) * d;
    v[i] = beta2 * v[i] + (1.f - beta2) * d * d;
    w[i] -= step_size * (m[i] / (std::sqrt(v[i]) / bias_correction2_sqrt + eps));
  }
}

const std::vector<std::string> kAdamState = {"exp_avg", "exp_avg_sq"};

}  // namespace

void validate(const AdamOptions& o) { check_adam("adam", o.beta1, o.beta2, o.eps, o.weight_decay); }
void validate(const AdamWOptions& o) {
  check_adam("adamw", o.beta1, o.beta2, o.eps, o.weight_decay);
}

Adam::Adam(std::vector<nn::Parameter*> params, AdamOptions options)
    : Optimizer(std::move(params), kAdamState, /*counts_steps=*/true), options_(options) {
  validate(options_);
}

void Adam::update(Tensor& w, const Tensor& g, Slot& slot, float lr, Range r) {
  const AdamOptions& o = options_;
  adam_update(w, g, slot.buffers[0], slot.buffers[1], r, slot.step, lr, o.beta1, o.beta2, o.eps,
              /*coupled=*/o.weight_decay, /*decoupled=*/0.f);
}

WeightDecay Adam::describe_weight_decay() const {
  const float wd = options_.weight_decay;
  if (wd == 0.f) return {WeightDecayKind::none, 0.f, false, "none"};
  return {WeightDecayKind::coupled, wd, false,
          "g ← g + " + detail::coefficient(wd) + "·w before the moment estimates (coupled, torch " +
              "Adam): an L2 gradient divided by the adaptive denominator, not AdamW's decay"};
}

AdamW::AdamW(std::vector<nn::Parameter*> params, AdamWOptions options)
    : Optimizer(std::move(params), kAdamState, /*counts_steps=*/true), options_(options) {
  validate(options_);
}

void AdamW::update(Tensor& w, const Tensor& g, Slot& slot, float lr, Range r) {
  const AdamWOptions& o = options_;
  adam_update(w, g, slot.buffers[0], slot.buffers[1], r, slot.step, lr, o.beta1, o.beta2, o.eps,
              /*coupled=*/0.f, /*decoupled=*/o.weight_decay);
}

WeightDecay AdamW::describe_weight_decay() const {
  const float wd = options_.weight_decay;
  if (wd == 0.f) return {WeightDecayKind::none, 0.f, false, "none"};
  return {
      WeightDecayKind::decoupled, wd, true,
      "w ← w·(1 − lr·" + detail::coefficient(wd) + ") before the Adam step (decoupled, " +
          "torch AdamW): removes lr·" + detail::coefficient(wd) +
          " of every trainable weight per step, whatever the gradient; follows the lr schedule"};
}

}  // namespace occam::optim
