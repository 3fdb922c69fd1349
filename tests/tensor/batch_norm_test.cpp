// Batch-norm kernels against values computed by hand.
#include "occam/tensor/batch_norm.h"

#include <cmath>

#include "occam/tensor/tensor.h"
#include "testing/testing.h"

namespace occam::kernels {
namespace {

using occam::testing::Tol;

TEST(BatchNorm, StatisticsArePerChannelOverBatchAndPixels) {
  // x [N=2, C=2, S=2]: channel 0 holds 1,3,5,7; channel 1 holds 10,10,10,10.
  const Tensor x = Tensor::from({2, 2, 2}, {1, 3, 10, 10, 5, 7, 10, 10});
  Tensor mean = Tensor::zeros({2}), var = Tensor::zeros({2});
  batch_norm_statistics(2, 2, 2, x.data(), mean.data(), var.data());
  EXPECT_TENSORS_NEAR(mean, Tensor::from({2}, {4, 10}), Tol{});
  EXPECT_TENSORS_NEAR(var, Tensor::from({2}, {5, 0}), Tol{});  // biased: (9+1+1+9)/4

  // gamma = 2, beta = 1 on channel 0 with eps 0: y = 2·(x − 4)/√5 + 1.
  const Tensor gamma = Tensor::from({2}, {2, 1}), beta = Tensor::from({2}, {1, -1});
  Tensor y = Tensor::zeros({2, 2, 2});
  batch_norm_forward(2, 2, 2, x.data(), mean.data(), var.data(), 0.f, gamma.data(), beta.data(),
                     y.data());
  const float r = 2.f / std::sqrt(5.f);
  EXPECT_NEAR(y[0], -3 * r + 1, 1e-6);
  EXPECT_NEAR(y[4], 1 * r + 1, 1e-6);
  EXPECT_NEAR(y[5], 3 * r + 1, 1e-6);
}

TEST(BatchNorm, TrainingGradientIsOrthogonalToConstantsAndToXhat) {
  // With batch statistics, y does not change when x is shifted or scaled per channel, so
  // dx sums to 0 and is orthogonal to x̂ in every channel. dy = x̂ gives dgamma = M.
  const Tensor x = Tensor::from({4, 1, 1}, {1, 2, 4, 9});
  Tensor mean = Tensor::zeros({1}), var = Tensor::zeros({1});
  batch_norm_statistics(4, 1, 1, x.data(), mean.data(), var.data());
  const float gamma = 1.5f;
  Tensor dy = Tensor::from({4, 1, 1}, {0.3f, -1.f, 2.f, 0.1f});
  Tensor dx = Tensor::zeros({4, 1, 1});
  float dgamma = 0, dbeta = 0;
  batch_norm_backward(4, 1, 1, dy.data(), x.data(), mean.data(), var.data(), 0.f, &gamma, true,
                      dx.data(), &dgamma, &dbeta);
  double total = 0, dot = 0;
  for (int i = 0; i < 4; ++i) {
    total += dx[i];
    dot += dx[i] * (x[i] - mean[0]);
  }
  EXPECT_NEAR(total, 0, 1e-6);
  EXPECT_NEAR(dot, 0, 1e-5);
  EXPECT_FLOAT_EQ(dbeta, 0.3f - 1.f + 2.f + 0.1f);
  // Eval mode: dx = gamma·rstd·dy exactly.
  Tensor dx_eval = Tensor::zeros({4, 1, 1});
  batch_norm_backward(4, 1, 1, dy.data(), x.data(), mean.data(), var.data(), 0.f, &gamma, false,
                      dx_eval.data(), nullptr, nullptr);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(dx_eval[i], gamma / std::sqrt(var[0]) * dy[i], 1e-6);
}

}  // namespace
}  // namespace occam::kernels
