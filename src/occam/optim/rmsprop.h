// RMSprop, torch.optim.RMSprop (1.13) exactly:
//   g ← g + wd·w                                   (coupled weight decay)
//   v ← α·v + (1 − α)·g²
//   centered: ḡ ← α·ḡ + (1 − α)·g,  s = sqrt(v − ḡ²) + ε;   otherwise s = sqrt(v) + ε
//   momentum μ > 0: b ← μ·b + g/s,  w ← w − lr·b;          otherwise w ← w − lr·g/s
// ε is outside the sqrt (Keras and TF1 put it inside, with other defaults: rho 0.9, ε 1e-7 or
// 1e-10, and TF1 starts v at ones). State: step, square_avg (v), momentum_buffer (μ > 0),
// grad_avg (ḡ, centered), all starting at zeros.
#pragma once

#include "occam/optim/optimizer.h"

namespace occam::optim {

struct RmspropOptions {
  float alpha = 0.99f;       // in [0, 1)
  float eps = 1e-8f;         // > 0
  float weight_decay = 0.f;  // >= 0, coupled
  float momentum = 0.f;      // in [0, 1)
  bool centered = false;
  static constexpr float default_lr = 1e-2f;  // torch's default, for a config without lr
};
// Throws ConfigError naming the first bad option: "rmsprop: expected alpha in [0, 1), got 1".
void validate(const RmspropOptions& options);

class Rmsprop final : public Optimizer {
 public:
  Rmsprop(std::vector<nn::Parameter*> params, RmspropOptions options = {});
  const char* name() const override { return "rmsprop"; }
  WeightDecay describe_weight_decay() const override;
  const RmspropOptions& options() const { return options_; }

 private:
  void update(Tensor& w, const Tensor& g, Slot& slot, float lr, Range r) override;
  RmspropOptions options_;
};

}  // namespace occam::optim
