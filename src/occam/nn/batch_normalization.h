// BatchNormalization layer, per channel (dim 1) of x [N, C] or [N, C, H, W]:
//   train: y = gamma·(x − mean_B)/√(var_B + eps) + beta with this batch's mean and biased
//          variance, then the moving statistics are updated;
//   eval:  the same with the moving statistics, which stay unchanged.
// Parameters "<name>/gamma", "<name>/beta" (ones, zeros); buffers "<name>/moving_mean",
// "<name>/moving_variance" (zeros, ones).
//
// The update follows one of two conventions; the default is torch's, which the fixtures use:
//   torch  moving = (1 − momentum)·moving + momentum·batch, momentum 0.1, eps 1e-5, and the
//          variance fed in is the UNBIASED batch variance var_B·M/(M − 1), M = N·H·W
//   keras  moving = momentum·moving + (1 − momentum)·batch, momentum 0.99, eps 1e-3, and the
//          variance fed in is the biased var_B
// `momentum` means what its convention means: set both, or start from torch() or keras().
#pragma once

#include <cstdint>
#include <string>

#include "occam/nn/layer.h"

namespace occam::nn {

enum class BatchNormConvention { torch, keras };

struct BatchNormOptions {
  BatchNormConvention convention = BatchNormConvention::torch;
  float momentum = 0.1f;  // in [0, 1]; its meaning depends on the convention (above)
  float epsilon = 1e-5f;  // > 0
  std::string name;       // empty: named by Sequential::add ("batch_normalization_1")
  Attachments attach;     // regularizers, constraints, activity regularizer, trainable (nn/layer.h)

  static BatchNormOptions torch() { return {}; }
  static BatchNormOptions keras() {
    BatchNormOptions o;
    o.convention = BatchNormConvention::keras;
    o.momentum = 0.99f;
    o.epsilon = 1e-3f;
    return o;
  }
};

class BatchNormalization final : public Layer {
 public:
  BatchNormalization(const BatchNormOptions& options, int64_t channels);

  Var forward(const Var& x, StepContext& ctx) override;
  std::vector<Parameter*> parameters() override { return {&gamma_, &beta_}; }
  std::vector<Buffer*> buffers() override { return {&moving_mean_, &moving_variance_}; }
  Shape output_shape(const Shape& in) const override;
  std::string_view type_name() const override { return "batch_normalization"; }
  bool normalizes() const override { return true; }

  Parameter& gamma() { return gamma_; }
  Parameter& beta() { return beta_; }
  Buffer& moving_mean() { return moving_mean_; }
  Buffer& moving_variance() { return moving_variance_; }
  const BatchNormOptions& options() const { return options_; }

 private:
  // Folds this batch's statistics into the moving ones (M values per channel).
  void update_moving_statistics(const Tensor& mean, const Tensor& var, int64_t M);

  BatchNormOptions options_;
  int64_t channels_;
  Parameter gamma_, beta_;
  Buffer moving_mean_, moving_variance_;
};

}  // namespace occam::nn
