// Regression losses, mean over all elements. Each is one op (forward and backward side by side);
// the target is data and receives no gradient. prediction and target have the same shape.
// Backward reads the target again: do not overwrite it in place before backward().
#pragma once

#include "occam/autograd/var.h"

namespace occam::loss {

// mean((p − t)²);  d_p = 2·(p − t)/n
Var mse(const Var& prediction, const Tensor& target);

// Huber, mean over elements, e = p − t (TF/Keras and the TF OD API; torch HuberLoss(delta)):
//   0.5·e²            if |e| <= δ   (TF's boundary; torch uses <, the two agree at |e| = δ)
//   δ·(|e| − 0.5·δ)   otherwise
// d_p = clamp(e, −δ, δ)/n.   δ = delta > 0.
Var huber(const Var& prediction, const Tensor& target, float delta = 1.f);

// Smooth L1 (torch SmoothL1Loss(beta)), mean over elements, e = p − t:
//   0.5·e²/β   if |e| < β,   |e| − 0.5·β   otherwise;   = huber(δ = β)/β for β > 0.
// β = 0 is the L1 loss (gradient sign(e), 0 at e = 0). β >= 0.
Var smooth_l1(const Var& prediction, const Tensor& target, float beta = 1.f);

}  // namespace occam::loss
