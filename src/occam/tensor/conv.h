// 2-D convolution kernels (cross-correlation, as torch and Keras) over raw buffers.
//   x [N, C, H, W]   w [O, C/G, KH, KW]   b [O]   y [N, O, OH, OW]   (G = groups, as torch)
//   y[n,o,i,j] = b[o] + Σ_{c,p,q} w[o,c,p,q] · x[n, g·C/G + c, i·SH + p − top, j·SW + q − left]
// where g = o / (O/G) is the group of output channel o, c runs over the C/G channels of that
// group, x is zero outside [0,H)×[0,W) (zero padding, possibly asymmetric) and
// OH = (top + H + bottom − KH) / SH + 1 (floor: rows that do not fit a whole window are dropped).
// G = 1 is the ordinary convolution; G = C is depthwise, with O = C·M (channel multiplier M:
// output channel c·M + m reads input channel c only).
// The fast path runs oneDNN primitives in oneDNN's blocked layouts (buffers stay plain NCHW/OIHW
// outside); the reference loops are the oracle in tests.
#pragma once

#include <compare>
#include <cstdint>

#include "occam/tensor/layout_copy.h"

namespace occam::kernels {

struct Conv2dShape {
  int64_t N = 0, C = 0, H = 0, W = 0;  // input
  int64_t O = 0, KH = 0, KW = 0;       // kernel [O, C/groups, KH, KW]
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t groups = 1;  // divides C and O

  int64_t out_h() const { return (pad_top + H + pad_bottom - KH) / stride_h + 1; }
  int64_t out_w() const { return (pad_left + W + pad_right - KW) / stride_w + 1; }
  auto operator<=>(const Conv2dShape&) const = default;
};

// Every size positive, groups dividing C and O, the padded input at least as large as the
// kernel. Checked by the kernels (OCCAM_CHECK); ops check first so their messages name the op
// and the tensors.
void check_conv2d_shape(const Conv2dShape& s);

// y = conv(x, w) + b, then max(y, 0) when relu. Writes y. b may be null (no bias).
// x_for_backward (optional): receives x in oneDNN's layout when the call made that copy anyway
// and the backward reads the same one (else it is left undefined); hand it to conv2d_backward
// to save reordering x a second time.
// x_copy (optional): x in a oneDNN layout (the previous convolution's y_copy); used instead of
// reordering x when it is the layout this convolution reads. y_copy (optional): receives y in
// the primitive's layout when that differs from plain NCHW (y is written either way).
void conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* b, float* y,
                    bool relu = false, Tensor* x_for_backward = nullptr,
                    const LayoutCopy* x_copy = nullptr, LayoutCopy* y_copy = nullptr);
// The whole backward of one convolution: dx += backward_data, dw and db += backward_weights.
// Any of dx, dw, db may be null (that part is skipped); x is read only for dw and db, w only for
// dx. dy is brought into oneDNN's layout once for both parts. x_from_forward: what
// conv2d_forward left in x_for_backward for the same x (or null / undefined). write_dx: dx is
// written (=), not added to (its old contents are ignored).
// dy_copy (optional): dy in a oneDNN layout, used instead of dy (which may then be null).
// dx_like (optional, with write_dx): when the backward-data result is in dx_like's layout, it
// goes to *dx_out in that layout, dx is left unwritten, and the call returns true.
bool conv2d_backward(const Conv2dShape& s, const float* dy, const float* x, const float* w,
                     float* dx, float* dw, float* db, const Tensor* x_from_forward = nullptr,
                     bool write_dx = false, const LayoutCopy* dy_copy = nullptr,
                     const LayoutCopy* dx_like = nullptr, LayoutCopy* dx_out = nullptr);
// dx += ∂(Σ dy·y)/∂x: the transposed convolution of dy with w.
void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx);
// dw += ∂(Σ dy·y)/∂w (correlation of x with dy); db += Σ_{n,i,j} dy. Either may be null.
void conv2d_backward_weights(const Conv2dShape& s, const float* dy, const float* x, float* dw,
                             float* db);

// Whether a layout copy of an [N, C, H, W] tensor is in oneDNN's nChw16c layout (channels in
// blocks of 16, innermost): what the other kernels that read or write layout copies handle.
bool is_nchw16c(const LayoutCopy& c, int64_t N, int64_t C, int64_t H, int64_t W);

namespace reference {
// The same three, as plain loops accumulating in double.
void conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* b, float* y);
void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx);
void conv2d_backward_weights(const Conv2dShape& s, const float* dy, const float* x, float* dw,
                             float* db);
}  // namespace reference

}  // namespace occam::kernels
