#include "occam/tensor/batch_norm.h"

#include <cmath>

#include "occam/error.h"

namespace occam::kernels {

// Element (n, c, s) of x is x[(n·C + c)·S + s].

void batch_norm_statistics(int64_t N, int64_t C, int64_t S, const float* x, float* mean,
                           float* var) {
  OCCAM_CHECK(N * S > 0, "batch_norm: statistics of an empty batch (N=", N, ", S=", S, ")");
  const double M = double(N * S);
#pragma omp parallel for
  for (int64_t c = 0; c < C; ++c) {
    double sum = 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) sum += x[(n * C + c) * S + s];
    const double mu = sum / M;
    double squares = 0;  // two passes: no cancellation when |mean| ≫ std
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        const double d = x[(n * C + c) * S + s] - mu;
        squares += d * d;
      }
    mean[c] = float(mu);
    var[c] = float(squares / M);
  }
}

void batch_norm_forward(int64_t N, int64_t C, int64_t S, const float* x, const float* mean,
                        const float* var, float eps, const float* gamma, const float* beta,
                        float* y) {
#pragma omp parallel for
  for (int64_t c = 0; c < C; ++c) {
    const float rstd = 1.f / std::sqrt(var[c] + eps);
    const float a = gamma[c] * rstd, mu = mean[c], b = beta[c];
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t i = (n * C + c) * S + s;
        y[i] = a * (x[i] - mu) + b;
      }
  }
}

void batch_norm_backward(int64_t N, int64_t C, int64_t S, const float* dy, const float* x,
                         const float* mean, const float* var, float eps, const float* gamma,
                         bool batch_stats, float* dx, float* dgamma, float* dbeta) {
  const double M = double(N * S);
#pragma omp parallel for
  for (int64_t c = 0; c < C; ++c) {
    const float rstd = 1.f / std::sqrt(var[c] + eps), mu = mean[c];
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t i = (n * C + c) * S + s;
        sum_dy += dy[i];
        sum_dy_xhat += double(dy[i]) * ((x[i] - mu) * rstd);
      }
    if (dgamma) dgamma[c] += float(sum_dy_xhat);
    if (dbeta) dbeta[c] += float(sum_dy);
    if (!dx) continue;
    const float a = gamma[c] * rstd;
    const float mean_dy = batch_stats ? float(sum_dy / M) : 0.f;
    const float mean_dy_xhat = batch_stats ? float(sum_dy_xhat / M) : 0.f;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t i = (n * C + c) * S + s;
        const float xhat = (x[i] - mu) * rstd;
        dx[i] += a * (dy[i] - mean_dy - xhat * mean_dy_xhat);
      }
  }
}

}  // namespace occam::kernels
