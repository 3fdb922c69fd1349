// Adam and AdamW, torch.optim.Adam / AdamW (1.13) exactly. t = the parameter's update count.
//   w ← w·(1 − lr·wd)                 AdamW: decoupled decay, before the step
//   g ← g + wd·w                      Adam: coupled decay (an L2 gradient, then divided by the
//                                     adaptive denominator, so Adam(wd) is not AdamW(wd))
//   m ← β1·m + (1 − β1)·g             v ← β2·v + (1 − β2)·g²
//   w ← w − (lr/(1 − β1^t))·m / (sqrt(v)/sqrt(1 − β2^t) + ε)
// State: step, exp_avg (m), exp_avg_sq (v). Keras adds ε to the uncorrected sqrt(v) instead
// (ε_keras = ε_torch·sqrt(1 − β2^t)); its weight_decay is AdamW's.
#pragma once

#include "occam/optim/optimizer.h"

namespace occam::optim {

struct AdamOptions {
  float beta1 = 0.9f;                         // in [0, 1)
  float beta2 = 0.999f;                       // in [0, 1)
  float eps = 1e-8f;                          // > 0; Keras' default is 1e-7
  float weight_decay = 0.f;                   // >= 0, coupled
  static constexpr float default_lr = 1e-3f;  // torch's default, for a config without lr
};
struct AdamWOptions {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 1e-2f;  // >= 0, decoupled (torch's AdamW default; Keras' is 0.004)
  static constexpr float default_lr = 1e-3f;
};
// Throw ConfigError naming the first bad option: "adam: expected beta1 in [0, 1), got 1".
void validate(const AdamOptions& options);
void validate(const AdamWOptions& options);

class Adam final : public Optimizer {
 public:
  Adam(std::vector<nn::Parameter*> params, AdamOptions options = {});
  const char* name() const override { return "adam"; }
  WeightDecay describe_weight_decay() const override;
  const AdamOptions& options() const { return options_; }

 private:
  void update(Tensor& w, const Tensor& g, Slot& slot, float lr, Range r) override;
  AdamOptions options_;
};

class AdamW final : public Optimizer {
 public:
  AdamW(std::vector<nn::Parameter*> params, AdamWOptions options = {});
  const char* name() const override { return "adamw"; }
  WeightDecay describe_weight_decay() const override;
  const AdamWOptions& options() const { return options_; }

 private:
  void update(Tensor& w, const Tensor& g, Slot& slot, float lr, Range r) override;
  AdamWOptions options_;
};

}  // namespace occam::optim
