// Multiplicative masks, the dropout family's one op: y = x ⊙ mask with a constant mask.
// Drawing the mask (from StepContext's Rng) is the layer's job, so these ops are deterministic.
#include "occam/autograd/nn_ops.h"
#include "occam/autograd/ops.h"

namespace occam {

// y = x ⊙ mask (mask broadcast to x);   dx += dy ⊙ mask;  the mask is a constant.
Var mul_by_mask(const Var& x, const Tensor& mask) {
  OCCAM_CHECK(broadcast_shape("mul_by_mask", x.shape(), mask.shape()) == x.shape(),
              "mul_by_mask: mask ", mask.shape(), " must broadcast to x ", x.shape(),
              " without enlarging it");
  return mul(x, constant(mask));
}

// y = x·(keep/(1 − rate))   (torch: the mask is scaled first, then multiplied)
Var dropout_with_mask(const Var& x, const Tensor& keep, float rate) {
  OCCAM_CHECK(rate >= 0.f && rate < 1.f, "dropout: expected 0 <= rate < 1, got ", rate);
  Tensor scaled = Tensor::empty(keep.shape());
  for (int64_t i = 0; i < keep.numel(); ++i) scaled[i] = keep[i] / (1.f - rate);
  return mul_by_mask(x, scaled);
}

}  // namespace occam
