// Detection losses of the TF Object Detection API (object_detection/core/losses.py), per anchor or
// per entry, unreduced: the SSD meta-architecture sums them and divides by the number of matched
// anchors; RetinaNet divides the focal sum by the number of positive anchors (below).
//   B images, A anchors, C box-code entries (4), K classes.
// Targets and weights are data: they receive no gradient, and backward reads them again.
#pragma once

#include <optional>

#include "occam/autograd/var.h"

namespace occam::loss {

// WeightedSmoothL1LocalizationLoss(delta):  e = prediction − target
//   y[b,a] = weights[b,a]·Σ_c huber_δ(e[b,a,c]),   huber_δ(e) = 0.5·e² if |e| <= δ else δ·(|e| −
//   0.5·δ)
// prediction, target [B,A,C]; weights [B,A]; y [B,A].   d_prediction = dy·weights·clamp(e, −δ, δ).
Var weighted_smooth_l1_od(const Var& prediction, const Tensor& target, const Tensor& weights,
                          float delta = 1.f);

struct FocalOptions {
  float gamma = 2.f;  // >= 0; 0 is the plain sigmoid cross-entropy
  // In [0, 1]: positives weighted α, negatives 1 − α. nullopt: no α weighting, which is what an
  // OD API config without `alpha` means (the Python class default 0.25 is bypassed by its builder).
  std::optional<float> alpha = 0.25f;
};

// SigmoidFocalClassificationLoss (Lin et al. 2017), per entry:
//   p = σ(z),  p_t = t·p + (1−t)·(1−p),  α_t = t·α + (1−t)·(1−α)
//   y = (1 − p_t)^γ · α_t · (max(z,0) − z·t + log(1 + e^−|z|)) · w
// logits, targets [B,A,K]; weights [B,A,1] (per anchor) or [B,A,K]; y [B,A,K].
Var sigmoid_focal_od(const Var& logits, const Tensor& targets, const Tensor& weights,
                     FocalOptions options = {});

// Anchors (b, a) whose target row has an entry > 0 (a positive class).   targets [B,A,K]
int64_t count_positive_anchors(const Tensor& targets);

// RetinaNet's normalization: Σ loss / max(1, count_positive_anchors(targets)), a scalar.
// per_entry_loss is typically sigmoid_focal_od(...) [B,A,K].
Var normalize_by_positive_anchors(const Var& per_entry_loss, const Tensor& targets);

}  // namespace occam::loss
