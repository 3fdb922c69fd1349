// Axis permutation of a row-major tensor: y's axis d is x's axis perm[d].
//   x [d_0, …, d_{r−1}]   y [d_perm[0], …, d_perm[r−1]]   y[i_0, …, i_{r−1}] = x[j] with j_perm[d] = i_d
// The fast path drops size-1 axes and folds axes that stay neighbours in the same order into one,
// so NCHW → NHWC (perm {0,2,3,1}) becomes a batch of 2-D transposes [N, C, H·W] → [N, H·W, C],
// done in cache-sized tiles; any other permutation runs a loop over y. The reference loop is the
// oracle in tests.
#pragma once

#include <vector>

#include "occam/tensor/tensor.h"

namespace occam::kernels {

// perm is a permutation of 0 … rank−1 (OCCAM_CHECK, naming both).
void check_permutation(const Shape& x_shape, const std::vector<int>& perm);
// The shape of y: {x_shape[perm[0]], …}.
Shape permuted_shape(const Shape& x_shape, const std::vector<int>& perm);

// y = permute(x), or y += permute(x) when accumulate. x and y must not overlap.
void permute(const float* x, const Shape& x_shape, const std::vector<int>& perm, float* y,
             bool accumulate = false);

namespace reference {
// The same, one element of y at a time, its index in x computed from scratch.
void permute(const float* x, const Shape& x_shape, const std::vector<int>& perm, float* y,
             bool accumulate = false);
}  // namespace reference

}  // namespace occam::kernels
