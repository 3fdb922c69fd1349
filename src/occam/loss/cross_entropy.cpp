#include "occam/loss/cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "occam/loss/elementwise_loss.h"

namespace occam::loss {

// N rows, C classes.
//   lse_i  = m_i + log Σ_c e^(z[i,c] − m_i),  m_i = max_c z[i,c]
//   loss_i = Σ_c t[i,c]·(lse_i − z[i,c]) = (1−ε)·(lse_i − z[i,y_i]) + (ε/C)·Σ_c (lse_i − z[i,c])
//   d z[i,c] += dloss·(e^(z[i,c] − lse_i) − t[i,c])/N
// Only lse [N] and the labels are kept for backward; softmax is recomputed from the logits.
Var softmax_cross_entropy(const Var& logits, std::span<const int64_t> labels,
                          float label_smoothing) {
  OCCAM_CHECK(logits.rank() == 2, "softmax_cross_entropy: expected logits [N,C], got ",
              logits.shape());
  const int64_t N = logits.dim(0), C = logits.dim(1);
  OCCAM_CHECK(N > 0 && C > 0, "softmax_cross_entropy: empty logits ", logits.shape());
  OCCAM_CHECK(int64_t(labels.size()) == N, "softmax_cross_entropy: expected ", N,
              " labels (one per row of logits ", logits.shape(), "), got ", labels.size());
  OCCAM_CHECK(label_smoothing >= 0.f && label_smoothing <= 1.f,
              "softmax_cross_entropy: expected label_smoothing in [0, 1], got ", label_smoothing);
  for (int64_t i = 0; i < N; ++i)
    OCCAM_CHECK(labels[i] >= 0 && labels[i] < C, "softmax_cross_entropy: label ", labels[i],
                " at index ", i, " is out of range [0, ", C, ") for logits ", logits.shape());

  const float on = 1.f - label_smoothing;        // weight of the labelled class
  const float off = label_smoothing / float(C);  // weight of every class
  const float* z = logits.value().data();
  Tensor lse = Tensor::empty({N});
  double total = 0;
  for (int64_t i = 0; i < N; ++i) {
    const float* row = z + i * C;
    const float m = *std::max_element(row, row + C);
    float s = 0.f;
    for (int64_t c = 0; c < C; ++c) s += std::exp(row[c] - m);
    const float l = m + std::log(s);
    lse[i] = l;
    double loss = double(on) * (l - row[labels[i]]);
    if (off != 0.f) {
      double spread = 0;
      for (int64_t c = 0; c < C; ++c) spread += l - row[c];
      loss += double(off) * spread;
    }
    total += loss;
  }
  std::vector<int64_t> y(labels.begin(), labels.end());
  return record("softmax_cross_entropy", Tensor::scalar(float(total / double(N))), {logits},
                [lse, y = std::move(y), on, off](Node& n) {
                  const Tensor& logits = n.input(0);
                  const int64_t N = logits.dim(0), C = logits.dim(1);
                  const float scale = n.grad[0] / float(N);
                  const float* z = logits.data();
                  float* dz = n.grad_of(0).data();
                  for (int64_t i = 0; i < N; ++i) {
                    const float* row = z + i * C;
                    float* drow = dz + i * C;
                    for (int64_t c = 0; c < C; ++c)
                      drow[c] += scale * (std::exp(row[c] - lse[i]) - off);
                    drow[y[i]] -= scale * on;
                  }
                });
}

Var sigmoid_binary_cross_entropy(const Var& logits, const Tensor& targets) {
  return detail::mean_elementwise_loss(
      "sigmoid_binary_cross_entropy", "logits", logits, "targets", targets,
      [](float z, float t) {
        return std::max(z, 0.f) - z * t + std::log1p(std::exp(-std::fabs(z)));
      },
      [](float z, float t) {
        // σ(z) computed on the side where e^(·) cannot overflow.
        const float p = z >= 0.f ? 1.f / (1.f + std::exp(-z)) : std::exp(z) / (1.f + std::exp(z));
        return p - t;
      });
}

}  // namespace occam::loss
