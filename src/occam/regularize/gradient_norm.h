// ‖∂penalty/∂w‖ for one regularizer at w: the size of the penalty's pull on a tensor, which
// `occam explain` compares with the data loss's. Uses the fused path when there is one, the
// tape on a detached copy of w otherwise; never touches w's own gradient.
#pragma once

#include "occam/regularize/regularizer.h"

namespace occam::regularize {

double penalty_gradient_norm(const Regularizer& r, const Tensor& w);

// The L2 norm of a tensor, accumulated in double.
double l2_norm(const Tensor& t);

}  // namespace occam::regularize
