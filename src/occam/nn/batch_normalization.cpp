#include "occam/nn/batch_normalization.h"

#include "occam/autograd/nn_ops.h"

namespace occam::nn {

BatchNormalization::BatchNormalization(const BatchNormOptions& options, int64_t channels)
    : options_(options), channels_(channels) {
  set_name(options_.name);
  OCCAM_CHECK(channels_ >= 1, label(), ": expected channels >= 1, got ", channels_);
  OCCAM_CHECK(options_.momentum >= 0.f && options_.momentum <= 1.f, label(),
              ": expected momentum in [0, 1], got ", options_.momentum);
  OCCAM_CHECK(options_.epsilon > 0.f, label(), ": expected epsilon > 0, got ", options_.epsilon);
  gamma_ = Parameter(scoped("gamma"), Tensor::ones({channels_}), regularize::Layout::vector);
  beta_ = Parameter(scoped("beta"), Tensor::zeros({channels_}), regularize::Layout::vector);
  moving_mean_ = Buffer{scoped("moving_mean"), Tensor::zeros({channels_})};
  moving_variance_ = Buffer{scoped("moving_variance"), Tensor::ones({channels_})};
  attach(options_.attach);
}

Shape BatchNormalization::output_shape(const Shape& in) const {
  OCCAM_CHECK((in.size() == 2 || in.size() == 4) && in[1] == channels_, label(), ": expected x [N,",
              channels_, "] or [N,", channels_, ",H,W], got ", in);
  return in;
}

void BatchNormalization::update_moving_statistics(const Tensor& mean, const Tensor& var,
                                                  int64_t M) {
  const bool torch = options_.convention == BatchNormConvention::torch;
  // The weight of the new batch, and the variance it contributes.
  const float w = torch ? options_.momentum : 1.f - options_.momentum;
  const float unbias = torch ? float(double(M) / double(M - 1)) : 1.f;
  Tensor& mm = moving_mean_.value;
  Tensor& mv = moving_variance_.value;
  for (int64_t c = 0; c < channels_; ++c) {
    mm[c] = (1.f - w) * mm[c] + w * mean[c];
    mv[c] = (1.f - w) * mv[c] + w * (var[c] * unbias);
  }
}

Var BatchNormalization::forward(const Var& x, StepContext& ctx) {
  output_shape(x.shape());
  const float eps = options_.epsilon;
  if (!ctx.training())
    return batch_norm_eval(x, gamma_.value, beta_.value, moving_mean_.value, moving_variance_.value,
                           eps);
  const int64_t M = x.numel() / channels_;  // values per channel
  OCCAM_CHECK(M > 1, label(), ": training needs more than one value per channel, got x ",
              x.shape());
  BatchNormOutput out = batch_norm_train(x, gamma_.value, beta_.value, eps);
  update_moving_statistics(out.mean, out.var, M);
  return out.y;
}

}  // namespace occam::nn
