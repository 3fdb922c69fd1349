#include "occam/optim/sgd.h"

#include <cmath>

namespace occam::optim {

void validate(const SgdOptions& o) {
  const auto fail = [](const std::string& what) { throw ConfigError("sgd: " + what); };
  if (!(o.momentum >= 0.f && o.momentum < 1.f))
    fail("expected momentum in [0, 1), got " + detail::coefficient(o.momentum));
  if (!(o.dampening >= 0.f && o.dampening <= 1.f))
    fail("expected dampening in [0, 1], got " + detail::coefficient(o.dampening));
  if (!(std::isfinite(o.weight_decay) && o.weight_decay >= 0.f))
    fail("expected weight_decay >= 0, got " + detail::coefficient(o.weight_decay));
  if (o.nesterov && (o.momentum == 0.f || o.dampening != 0.f))
    fail("nesterov requires momentum > 0 and dampening 0, got momentum " +
         detail::coefficient(o.momentum) + " and dampening " + detail::coefficient(o.dampening));
}

Sgd::Sgd(std::vector<nn::Parameter*> params, SgdOptions options)
    : Optimizer(std::move(params),
                options.momentum != 0.f ? std::vector<std::string>{"momentum_buffer"}
                                        : std::vector<std::string>{},
                /*counts_steps=*/false),
      options_(options) {
  validate(options_);
}

namespace {
// The momentum update over n elements; the branches are template arguments so that the loop
// has none and vectorizes (a conditional read of b[i] inside the loop kept it scalar).
template <bool First, bool Nesterov>
void momentum_step(float* __restrict w, const float* __restrict g, float* __restrict b,
                   Optimizer::Range r, float lr, float wd, float mu, float damp) {
#pragma omp simd
  for (int64_t i = r.begin; i < r.end; ++i) {
    const float d = g[i] + wd * w[i];
    const float v = First ? d : mu * b[i] + damp * d;
    b[i] = v;
    w[i] -= lr * (Nesterov ? d + mu * v : v);
  }
}
}  // namespace

void Sgd::update(Tensor& weights, const Tensor& grad, Slot& slot, float lr, Range r) {
  const float mu = options_.momentum, wd = options_.weight_decay;
  const float damp = 1.f - options_.dampening;
  const bool nesterov = options_.nesterov;
  float* __restrict w = weights.data();
  const float* __restrict g = grad.data();
  if (mu == 0.f) {
#pragma omp simd
    for (int64_t i = r.begin; i < r.end; ++i) w[i] -= lr * (g[i] + wd * w[i]);
    return;
  }
  Tensor& buffer = slot.buffers[0];
  const bool first = !buffer.defined();
  if (first) buffer = Tensor::empty(weights.shape());
  float* b = buffer.data();
  if (first && nesterov)
    momentum_step<true, true>(w, g, b, r, lr, wd, mu, damp);
  else if (first)
    momentum_step<true, false>(w, g, b, r, lr, wd, mu, damp);
  else if (nesterov)
    momentum_step<false, true>(w, g, b, r, lr, wd, mu, damp);
  else
    momentum_step<false, false>(w, g, b, r, lr, wd, mu, damp);
}

WeightDecay Sgd::describe_weight_decay() const {
  const float wd = options_.weight_decay;
  if (wd == 0.f) return {WeightDecayKind::none, 0.f, false, "none"};
  return {WeightDecayKind::coupled, wd, false,
          "g ← g + " + detail::coefficient(wd) + "·w before momentum (coupled, torch SGD): the " +
              "gradient of " + detail::coefficient(wd / 2) + "·Σw² (Keras l2(" +
              detail::coefficient(wd / 2) + ")) on every trainable parameter, biases included"};
}

}  // namespace occam::optim
