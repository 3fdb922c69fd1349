// 2-D pooling kernels over NCHW buffers, without padding.
//   x [N, C, H, W]   y [N, C, OH, OW]   OH = (H − KH) / SH + 1 (floor: a partial window is dropped)
// Every (n, c) plane is independent, so the loops run in parallel over N·C.
#pragma once

#include <cstdint>

namespace occam::kernels {

struct Pool2dShape {
  int64_t N = 0, C = 0, H = 0, W = 0;  // input
  int64_t KH = 0, KW = 0;              // window
  int64_t stride_h = 1, stride_w = 1;

  int64_t out_h() const { return (H - KH) / stride_h + 1; }
  int64_t out_w() const { return (W - KW) / stride_w + 1; }
};

// Positive sizes and strides, window no larger than the input (OCCAM_CHECK).
void check_pool2d_shape(const Pool2dShape& s);

// y[n,c,i,j] = max over the window at (i·SH, j·SW)
void max_pool2d_forward(const Pool2dShape& s, const float* x, float* y);
// dx[winner] += dy[n,c,i,j]. The winner is the first maximum of the window in row-major order,
// as torch picks it; it is found again from x rather than stored. Overlapping windows that
// share a winner add their gradients.
// write: dx is written (=), not added to; its old contents are ignored.
void max_pool2d_backward(const Pool2dShape& s, const float* dy, const float* x, float* dx,
                         bool write = false);
// For x a ReLU output: writes dx = max_pool2d_backward(...) with the ReLU backward's mask applied
// (dx = 0 where x <= 0), in the same pass, and returns true — for the 2x2, stride-2 window on
// even-sized planes. Otherwise returns false and writes nothing.
bool max_pool2d_backward_relu_masked(const Pool2dShape& s, const float* dy, const float* x,
                                     float* dx);
// The same with x and dx in oneDNN's nChw16c layout (dy plain NCHW): for a ReLU output that a
// convolution left in that layout, so that dx goes back to it without a reorder. Returns false
// and writes nothing unless the window is 2x2 with stride 2, H and W are even and C % 16 == 0.
bool max_pool2d_backward_relu_masked_nchw16c(const Pool2dShape& s, const float* dy, const float* x,
                                             float* dx);

namespace reference {
// The same two as plain loops over any window and stride: the oracle in tests. (The functions
// above take a branch-free path for the 2x2, stride-2 window and these loops otherwise.)
void max_pool2d_forward(const Pool2dShape& s, const float* x, float* y);
void max_pool2d_backward(const Pool2dShape& s, const float* dy, const float* x, float* dx);
}  // namespace reference

// y[n,c,i,j] = mean over the window (always KH·KW elements: there is no padding)
void avg_pool2d_forward(const Pool2dShape& s, const float* x, float* y);
// dx[window] += dy[n,c,i,j] / (KH·KW)
void avg_pool2d_backward(const Pool2dShape& s, const float* dy, float* dx);

// x viewed as [planes, HW] (planes = N·C, HW = H·W):  y[k] = mean of plane k;  dx[k,:] += dy[k]/HW
void global_avg_pool2d_forward(int64_t planes, int64_t HW, const float* x, float* y);
void global_avg_pool2d_backward(int64_t planes, int64_t HW, const float* dy, float* dx);

}  // namespace occam::kernels
