// Batch normalization kernels. x is viewed as [N, C, S] (S = H·W for NCHW images, 1 for [N, C]);
// each channel c is normalized with statistics over its M = N·S values:
//   mean[c] = Σ x / M     var[c] = Σ (x − mean)² / M  (biased: what the normalization uses)
//   x̂ = (x − mean)·rstd   rstd = 1/√(var + eps)       y = gamma[c]·x̂ + beta[c]
// Loops run in parallel over channels; sums accumulate in double.
#pragma once

#include <cstdint>

namespace occam::kernels {

// Writes mean[C] and the biased var[C] of x.
void batch_norm_statistics(int64_t N, int64_t C, int64_t S, const float* x, float* mean,
                           float* var);

// Writes y (same shape as x) normalized with the given mean and var.
void batch_norm_forward(int64_t N, int64_t C, int64_t S, const float* x, const float* mean,
                        const float* var, float eps, const float* gamma, const float* beta,
                        float* y);

// Gradients of Σ dy·y, added into dx, dgamma, dbeta (each may be null):
//   dgamma[c] += Σ dy·x̂     dbeta[c] += Σ dy
//   batch_stats (training: mean and var were computed from this x, so they depend on it):
//     dx += gamma·rstd·(dy − mean_M(dy) − x̂·mean_M(dy·x̂))
//   otherwise (eval: running statistics are constants):
//     dx += gamma·rstd·dy
void batch_norm_backward(int64_t N, int64_t C, int64_t S, const float* dy, const float* x,
                         const float* mean, const float* var, float eps, const float* gamma,
                         bool batch_stats, float* dx, float* dgamma, float* dbeta);

}  // namespace occam::kernels
