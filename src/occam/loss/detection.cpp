#include "occam/loss/detection.h"

#include <algorithm>
#include <cmath>

#include "occam/autograd/ops.h"

namespace occam::loss {

Var weighted_smooth_l1_od(const Var& prediction, const Tensor& target, const Tensor& weights,
                          float delta) {
  const char* op = "weighted_smooth_l1_od";
  OCCAM_CHECK(prediction.rank() == 3, op, ": expected prediction [B,A,C], got ",
              prediction.shape());
  OCCAM_CHECK(target.shape() == prediction.shape(), op, ": expected target of the same shape as ",
              "prediction ", prediction.shape(), ", got ", target.shape());
  const int64_t B = prediction.dim(0), A = prediction.dim(1), C = prediction.dim(2);
  OCCAM_CHECK(weights.shape() == Shape({B, A}), op, ": expected weights [B,A] = ", Shape{B, A},
              " for prediction ", prediction.shape(), ", got ", weights.shape());
  OCCAM_CHECK(std::isfinite(delta) && delta > 0.f, op, ": expected delta > 0, got ", delta);

  const float* p = prediction.value().data();
  const float* t = target.data();
  const float* w = weights.data();
  Tensor y = Tensor::empty({B, A});
  for (int64_t j = 0; j < B * A; ++j) {
    float sum = 0.f;
    for (int64_t c = 0; c < C; ++c) {
      const float e = std::fabs(p[j * C + c] - t[j * C + c]);
      sum += e <= delta ? 0.5f * e * e : delta * (e - 0.5f * delta);
    }
    y[j] = w[j] * sum;
  }
  return record(op, std::move(y), {prediction}, [target, weights, delta](Node& n) {
    const int64_t anchors = n.value.numel(), C = n.input(0).dim(2);
    const float* p = n.input(0).data();
    const float* t = target.data();
    const float* w = weights.data();
    const float* dy = n.grad.data();
    float* dp = n.grad_of(0).data();
    for (int64_t j = 0; j < anchors; ++j) {
      const float s = dy[j] * w[j];
      for (int64_t c = 0; c < C; ++c) {
        const int64_t i = j * C + c;
        dp[i] += s * std::clamp(p[i] - t[i], -delta, delta);
      }
    }
  });
}

namespace {
// σ(z) on the side where e^(·) cannot overflow.
float sigmoid(float z) {
  if (z >= 0.f) return 1.f / (1.f + std::exp(-z));
  const float e = std::exp(z);
  return e / (1.f + e);
}

// The parts of one focal-loss entry that forward and backward share.
struct FocalEntry {
  float p, q;     // σ(z), σ(−z)
  float m;        // 1 − p_t
  float alpha_t;  // 1 without α weighting
  float ce;       // sigmoid cross-entropy

  FocalEntry(float z, float t, std::optional<float> alpha)
      : p(sigmoid(z)),
        q(sigmoid(-z)),
        m(t * q + (1.f - t) * p),
        alpha_t(alpha ? t * *alpha + (1.f - t) * (1.f - *alpha) : 1.f),
        ce(std::max(z, 0.f) - z * t + std::log1p(std::exp(-std::fabs(z)))) {}
};
}  // namespace

// Per entry, with p = σ(z) and q = σ(−z) = 1 − p (computed as such, so a confident prediction
// keeps its small 1 − p):
//   m = 1 − p_t = t·q + (1−t)·p        dm/dz = (1 − 2t)·p·q
//   ce = max(z,0) − z·t + log(1 + e^−|z|)    dce/dz = p − t
//   y = w·α_t·m^γ·ce                   dy/dz = w·α_t·(γ·m^(γ−1)·dm/dz·ce + m^γ·(p − t))
Var sigmoid_focal_od(const Var& logits, const Tensor& targets, const Tensor& weights,
                     FocalOptions options) {
  const char* op = "sigmoid_focal_od";
  OCCAM_CHECK(logits.rank() == 3, op, ": expected logits [B,A,K], got ", logits.shape());
  OCCAM_CHECK(targets.shape() == logits.shape(), op, ": expected targets of the same shape as ",
              "logits ", logits.shape(), ", got ", targets.shape());
  const int64_t B = logits.dim(0), A = logits.dim(1), K = logits.dim(2);
  const bool per_anchor = weights.shape() == Shape({B, A, 1});
  OCCAM_CHECK(per_anchor || weights.shape() == logits.shape(), op, ": expected weights ",
              Shape{B, A, 1}, " or ", logits.shape(), " for logits ", logits.shape(), ", got ",
              weights.shape());
  const float gamma = options.gamma;
  OCCAM_CHECK(std::isfinite(gamma) && gamma >= 0.f, op, ": expected gamma >= 0, got ", gamma);
  OCCAM_CHECK(!options.alpha || (*options.alpha >= 0.f && *options.alpha <= 1.f), op,
              ": expected alpha in [0, 1], got ", options.alpha.value_or(0.f));

  const float* z = logits.value().data();
  const float* t = targets.data();
  const float* w = weights.data();
  Tensor y = Tensor::empty(logits.shape());
  for (int64_t i = 0; i < y.numel(); ++i) {
    const FocalEntry f(z[i], t[i], options.alpha);
    y[i] = std::pow(f.m, gamma) * f.alpha_t * f.ce * w[per_anchor ? i / K : i];
  }
  return record(op, std::move(y), {logits}, [targets, weights, per_anchor, K, options](Node& n) {
    const float gamma = options.gamma;
    const float* z = n.input(0).data();
    const float* t = targets.data();
    const float* w = weights.data();
    const float* dy = n.grad.data();
    float* dz = n.grad_of(0).data();
    for (int64_t i = 0; i < n.value.numel(); ++i) {
      const FocalEntry f(z[i], t[i], options.alpha);
      // γ·m^(γ−1), taken as 0 where it would be 0·∞ (γ = 0) or ∞ (m = 0, γ < 1).
      const float dmod =
          gamma == 0.f || (f.m == 0.f && gamma < 1.f) ? 0.f : gamma * std::pow(f.m, gamma - 1.f);
      const float dm = (1.f - 2.f * t[i]) * f.p * f.q;
      const float dce = f.p - t[i];
      dz[i] += dy[i] * w[per_anchor ? i / K : i] * f.alpha_t *
               (dmod * dm * f.ce + std::pow(f.m, gamma) * dce);
    }
  });
}

int64_t count_positive_anchors(const Tensor& targets) {
  OCCAM_CHECK(targets.rank() == 3, "count_positive_anchors: expected targets [B,A,K], got ",
              targets.shape());
  const int64_t anchors = targets.dim(0) * targets.dim(1), K = targets.dim(2);
  int64_t count = 0;
  for (int64_t j = 0; j < anchors; ++j) {
    const float* row = targets.data() + j * K;
    count += std::any_of(row, row + K, [](float v) { return v > 0.f; }) ? 1 : 0;
  }
  return count;
}

Var normalize_by_positive_anchors(const Var& per_entry_loss, const Tensor& targets) {
  OCCAM_CHECK(per_entry_loss.shape() == targets.shape(),
              "normalize_by_positive_anchors: expected a loss of the targets' shape ",
              targets.shape(), ", got ", per_entry_loss.shape());
  const int64_t positives = count_positive_anchors(targets);
  return sum(per_entry_loss) / float(std::max<int64_t>(1, positives));
}

}  // namespace occam::loss
