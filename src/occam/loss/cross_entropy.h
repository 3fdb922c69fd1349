// Classification losses on logits, mean over the batch. Each is one op: its forward loop and its
// backward loop side by side. Labels and targets are data and receive no gradient. Labels are
// copied; backward reads targets again, so do not overwrite them in place before backward().
//   N examples, C classes.
#pragma once

#include <cstdint>
#include <span>

#include "occam/autograd/var.h"

namespace occam::loss {

// Softmax cross-entropy with integer labels, mean over the N rows:
//   loss = (1/N)·Σ_i −Σ_c t[i,c]·log softmax(z[i])_c,   t = (1−ε)·onehot(label) + ε/C
// logits [N,C], labels [N] each in [0, C), ε = label_smoothing in [0, 1] (torch `label_smoothing`,
// Keras CategoricalCrossentropy(label_smoothing)). log softmax = z − logsumexp(z), with the row max
// subtracted first, so no logit overflows exp. d_logits = (softmax − t)/N.
Var softmax_cross_entropy(const Var& logits, std::span<const int64_t> labels,
                          float label_smoothing = 0.f);

// Binary cross-entropy on logits, mean over all elements (targets in [0, 1], soft allowed):
//   loss = mean(max(z,0) − z·t + log(1 + e^−|z|)),   d_logits = (σ(z) − t)/numel
// The rearrangement cannot overflow for large |z| (as PyTorch's BCEWithLogitsLoss).
// logits and targets have the same shape.
Var sigmoid_binary_cross_entropy(const Var& logits, const Tensor& targets);

}  // namespace occam::loss
