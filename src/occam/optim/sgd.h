// Stochastic gradient descent with momentum, torch.optim.SGD (1.13) exactly:
//   d ← g + wd·w                                   (coupled weight decay)
//   b ← d at a parameter's first update, then b ← μ·b + (1 − τ)·d
//   w ← w − lr·(d + μ·b)  with nesterov,  w ← w − lr·b  with momentum,  w ← w − lr·d  without
// State: momentum_buffer (only when μ > 0). Keras SGD keeps lr inside its velocity instead; the
// two agree only while lr is constant (SPEC-regularization §7.4).
#pragma once

#include "occam/optim/optimizer.h"

namespace occam::optim {

struct SgdOptions {
  float momentum = 0.f;      // μ in [0, 1)
  float dampening = 0.f;     // τ in [0, 1]
  float weight_decay = 0.f;  // >= 0, coupled: equals an L2 penalty (wd/2)·Σw² on every parameter
  bool nesterov = false;     // requires momentum > 0 and dampening = 0
};
// Throws ConfigError naming the first bad option: "sgd: expected momentum in [0, 1), got 1".
void validate(const SgdOptions& options);

class Sgd final : public Optimizer {
 public:
  Sgd(std::vector<nn::Parameter*> params, SgdOptions options = {});
  const char* name() const override { return "sgd"; }
  WeightDecay describe_weight_decay() const override;
  const SgdOptions& options() const { return options_; }

 private:
  void update(Tensor& w, const Tensor& g, Slot& slot, float lr, Range r) override;
  SgdOptions options_;
};

}  // namespace occam::optim
