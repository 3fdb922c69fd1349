// Differentiable neural-network ops: convolution, pooling, batch normalization, softmax and
// the multiplicative masks of the dropout family. Each op is one function with its backward
// (conv_ops.cpp, pool_ops.cpp, norm_ops.cpp, softmax_ops.cpp, dropout_ops.cpp); the heavy
// loops are kernels in tensor/. Images are NCHW, conv kernels OIHW.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>

#include "occam/autograd/var.h"

namespace occam {

using Size2 = std::array<int64_t, 2>;  // {height, width}

// Zero padding of an image, in pixels on each side. Asymmetric padding is what Keras
// padding="same" produces for an even input and an odd stride-2 window.
struct Padding2d {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
  static Padding2d symmetric(int64_t h, int64_t w) { return {h, h, w, w}; }
  bool operator==(const Padding2d&) const = default;
};
// Prints "[top 0, bottom 1, left 0, right 1]".
std::ostream& operator<<(std::ostream& os, const Padding2d& p);

// Keras/TF padding="same", per dimension: the output has ceil(in/stride) pixels and the total
// padding is max((ceil(in/stride) − 1)·stride + kernel − in, 0), the odd pixel at the bottom/right.
Padding2d same_padding(Size2 input, Size2 kernel, Size2 stride);

// ---- convolution ----
// y = conv(x, kernel) + bias (cross-correlation, as torch and Keras)
//   x [N,C,H,W]   kernel [O,C/groups,KH,KW]   bias [O] (may be undefined)   y [N,O,OH,OW]
//   OH = (top + H + bottom − KH) / SH + 1 (floor), likewise OW
// groups (as torch's): the channels split into that many groups, output channel o reading only
// the C/groups input channels of group o/(O/groups). Depthwise: groups = C, O = C·M (channel
// multiplier M; output channel c·M + m reads input channel c, Keras's DepthwiseConv2D order).
// dx, dkernel, dbias through oneDNN's backward-data and backward-weights primitives.
Var conv2d(const Var& x, const Var& kernel, const Var& bias, Size2 stride = {1, 1},
           Padding2d padding = {}, int64_t groups = 1);
// relu(conv2d(...)) fused (groups = 1): the same numbers, one tape node, no separate ReLU tensor.
Var conv2d_relu(const Var& x, const Var& kernel, const Var& bias, Size2 stride = {1, 1},
                Padding2d padding = {});

// ---- pooling (no padding; a partial window at the bottom/right is dropped) ----
// x [N,C,H,W] → y [N,C,OH,OW], OH = (H − KH) / SH + 1
Var max_pool2d(const Var& x, Size2 window, Size2 stride);  // gradient to the first maximum
Var avg_pool2d(const Var& x, Size2 window, Size2 stride);
Var global_avg_pool2d(const Var& x);  // [N,C,H,W] → [N,C], the mean over H and W

// ---- batch normalization, per channel (dim 1) of x [N,C] or [N,C,H,W] ----
// y = gamma·(x − mean)/√(var + eps) + beta, gamma and beta [C].
struct BatchNormOutput {
  Var y;
  Tensor mean;  // [C] batch mean
  Tensor var;   // [C] biased batch variance (the one y was normalized with)
};
// Training: statistics of this batch over N (and H, W); the gradient flows through them.
BatchNormOutput batch_norm_train(const Var& x, const Var& gamma, const Var& beta, float eps);
// Inference: the given (running) statistics are constants.
Var batch_norm_eval(const Var& x, const Var& gamma, const Var& beta, const Tensor& running_mean,
                    const Tensor& running_var, float eps);

// ---- softmax over the last axis (x [N,C], or any rank >= 1 viewed as [rows, C]) ----
Var softmax(const Var& x);      // y = e^(x − max) / Σ e^(x − max);  dx += y·(dy − Σ dy·y)
Var log_softmax(const Var& x);  // y = x − max − log Σ e^(x − max);  dx += dy − e^y·Σ dy

// ---- masks (the dropout family) ----
// y = x ⊙ mask, mask a constant broadcasting to x's shape ([N,C,1,1] drops whole channels).
Var mul_by_mask(const Var& x, const Tensor& mask);
// Inverted dropout with a given keep mask (1 = kept, 0 = dropped), 0 <= rate < 1:
// y = x·(keep/(1 − rate)), torch's order of operations. keep broadcasts to x.
Var dropout_with_mask(const Var& x, const Tensor& keep, float rate);

}  // namespace occam
