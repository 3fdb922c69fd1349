// 2-D convolution through kernels::conv2d_* (oneDNN).
#include <algorithm>

#include "occam/autograd/nn_ops.h"
#include "occam/tensor/conv.h"
#include "occam/tensor/epilogue.h"

namespace occam {

std::ostream& operator<<(std::ostream& os, const Padding2d& p) {
  return os << "[top " << p.top << ", bottom " << p.bottom << ", left " << p.left << ", right "
            << p.right << "]";
}

Padding2d same_padding(Size2 input, Size2 kernel, Size2 stride) {
  int64_t before[2], after[2];
  for (int d = 0; d < 2; ++d) {
    OCCAM_CHECK(input[d] > 0 && kernel[d] > 0 && stride[d] > 0,
                "same_padding: expected positive sizes, got input ", input[d], ", kernel ",
                kernel[d], ", stride ", stride[d]);
    const int64_t out = (input[d] + stride[d] - 1) / stride[d];  // ceil(in/stride)
    const int64_t total = std::max<int64_t>((out - 1) * stride[d] + kernel[d] - input[d], 0);
    before[d] = total / 2;
    after[d] = total - before[d];
  }
  return {before[0], after[0], before[1], after[1]};
}

namespace {

// The checks and kernel shape shared by conv2d and conv2d_relu.
kernels::Conv2dShape conv_shape(const Var& x, const Var& kernel, const Var& bias, Size2 stride,
                                Padding2d padding, int64_t groups = 1) {
  OCCAM_CHECK(x.rank() == 4 && kernel.rank() == 4,
              "conv2d: expected x [N,C,H,W] and kernel [O,C,KH,KW], got x ", x.shape(),
              " and kernel ", kernel.shape());
  OCCAM_CHECK(groups >= 1, "conv2d: expected groups >= 1, got ", groups);
  if (groups == 1)
    OCCAM_CHECK(x.dim(1) == kernel.dim(1), "conv2d: x has ", x.dim(1), " channels, kernel expects ",
                kernel.dim(1), " (x ", x.shape(), ", kernel ", kernel.shape(), ")");
  else
    OCCAM_CHECK(x.dim(1) == kernel.dim(1) * groups, "conv2d: x has ", x.dim(1),
                " channels, kernel expects ", kernel.dim(1), " per group × ", groups,
                " groups = ", kernel.dim(1) * groups, " (x ", x.shape(), ", kernel ",
                kernel.shape(), ")");
  const int64_t O = kernel.dim(0);
  OCCAM_CHECK(O % groups == 0, "conv2d: kernel has ", O, " filters, not a multiple of groups ",
              groups, " (kernel ", kernel.shape(), ")");
  OCCAM_CHECK(!bias.defined() || (bias.rank() == 1 && bias.dim(0) == O), "conv2d: expected bias [",
              O, "], got ", bias.shape());
  OCCAM_CHECK(stride[0] >= 1 && stride[1] >= 1, "conv2d: expected stride >= 1, got [", stride[0],
              ",", stride[1], "]");
  OCCAM_CHECK(padding.top >= 0 && padding.bottom >= 0 && padding.left >= 0 && padding.right >= 0,
              "conv2d: expected padding >= 0, got ", padding);
  const kernels::Conv2dShape s{.N = x.dim(0),
                               .C = x.dim(1),
                               .H = x.dim(2),
                               .W = x.dim(3),
                               .O = O,
                               .KH = kernel.dim(2),
                               .KW = kernel.dim(3),
                               .stride_h = stride[0],
                               .stride_w = stride[1],
                               .pad_top = padding.top,
                               .pad_bottom = padding.bottom,
                               .pad_left = padding.left,
                               .pad_right = padding.right,
                               .groups = groups};
  OCCAM_CHECK(s.pad_top + s.H + s.pad_bottom >= s.KH && s.pad_left + s.W + s.pad_right >= s.KW,
              "conv2d: kernel ", s.KH, "x", s.KW, " larger than the padded input ",
              s.pad_top + s.H + s.pad_bottom, "x", s.pad_left + s.W + s.pad_right, " (x ",
              x.shape(), ", padding ", padding, ")");
  kernels::check_conv2d_shape(s);  // sizes > 0
  return s;
}

struct ConvOutput {
  Tensor y;
  Tensor x_blocked;            // x in oneDNN's layout, when the kernel made that copy
  kernels::LayoutCopy y_copy;  // y in oneDNN's layout, for a convolution that reads y
};

// y, x in oneDNN's layout for the backward of dkernel, and y in oneDNN's layout. Reads x's layout
// copy instead of x when x is another convolution's output.
ConvOutput conv_forward(const kernels::Conv2dShape& s, const Var& x, const Var& kernel,
                        const Var& bias, bool relu) {
  ConvOutput out{Tensor::empty({s.N, s.O, s.out_h(), s.out_w()}), Tensor(), {}};
  const bool keep = grad_enabled() && kernel.requires_grad();
  const kernels::LayoutCopy& x_copy = x.node()->value_copy;
  kernels::conv2d_forward(s, x.value().data(), kernel.value().data(),
                          bias.defined() ? bias.value().data() : nullptr, out.y.data(), relu,
                          keep ? &out.x_blocked : nullptr, &x_copy, &out.y_copy);
  return out;
}

// Given g = ∂/∂(conv(x, kernel) + bias): dx, dkernel, dbias, whichever are needed. g is in
// oneDNN's layout when the node's gradient came as a layout copy (n.grad_copy), else plain.
// When x is another convolution's output read by this op only, dx goes back in that
// convolution's layout (its grad_copy), not reordered to plain.
void conv_backward(Node& n, const kernels::Conv2dShape& s, const float* g,
                   const Tensor& x_blocked) {
  const kernels::LayoutCopy* g_copy = n.grad_copy.defined() ? &n.grad_copy : nullptr;
  Node& in = *n.inputs[0];
  const bool only_reader = in.consumers == 1 && !in.grad.defined() && in.value_copy.defined();
  const bool write_dx = n.needs_grad(0) && n.first_grad_of(0);  // a fresh buffer: write it
  float* dx = n.needs_grad(0) ? n.grad_of(0).data() : nullptr;
  float* dkernel = n.needs_grad(1) ? n.grad_of(1).data() : nullptr;
  float* dbias = n.inputs.size() > 2 && n.needs_grad(2) ? n.grad_of(2).data() : nullptr;
  kernels::conv2d_backward(s, g_copy ? nullptr : g, n.input(0).data(), n.input(1).data(), dx,
                           dkernel, dbias, &x_blocked, write_dx, g_copy,
                           only_reader ? &in.value_copy : nullptr,
                           only_reader ? &in.grad_copy : nullptr);
}

std::vector<Var> conv_inputs(const Var& x, const Var& kernel, const Var& bias) {
  if (bias.defined()) return {x, kernel, bias};
  return {x, kernel};
}

}  // namespace

// y = conv(x, kernel) + bias     x [N,C,H,W]   kernel [O,C/G,KH,KW]   bias [O]   y [N,O,OH,OW]
// dx += conv_transpose(dy, kernel)   dkernel += corr(x, dy)   dbias += Σ_{n,i,j} dy
// (each per group of C/G input and O/G output channels)
Var conv2d(const Var& x, const Var& kernel, const Var& bias, Size2 stride, Padding2d padding,
           int64_t groups) {
  const kernels::Conv2dShape s = conv_shape(x, kernel, bias, stride, padding, groups);
  ConvOutput c = conv_forward(s, x, kernel, bias, false);
  Var out = record("conv2d", std::move(c.y), conv_inputs(x, kernel, bias),
                   [s, x_blocked = std::move(c.x_blocked)](Node& n) {
                     conv_backward(n, s, n.grad.data(), x_blocked);
                   });
  out.node()->value_copy = std::move(c.y_copy);
  return out;
}

// y = max(conv(x, kernel) + bias, 0): relu(conv2d(...)) as one op (oneDNN applies the ReLU as it
// writes y), the same numbers with one tape node.   g = dy where y > 0, else 0; then conv2d's
// backward with g.
Var conv2d_relu(const Var& x, const Var& kernel, const Var& bias, Size2 stride, Padding2d padding) {
  const kernels::Conv2dShape s = conv_shape(x, kernel, bias, stride, padding);
  ConvOutput c = conv_forward(s, x, kernel, bias, true);
  Var out = record("conv2d_relu", std::move(c.y), conv_inputs(x, kernel, bias),
                   [s, x_blocked = std::move(c.x_blocked)](Node& n) {
                     // In place: this node's gradient is read by nobody after its backward.
                     // With a layout copy, the gradient and the value are both in oneDNN's.
                     const bool copy = n.grad_copy.defined();
                     Tensor& grad = copy ? n.grad_copy.data : n.grad;
                     const Tensor& value = copy ? n.value_copy.data : n.value;
                     float* g = grad.data();
                     if (!n.grad_relu_masked)
                       kernels::relu_backward(g, g, value.data(), grad.numel());
                     conv_backward(n, s, g, x_blocked);
                   });
  if (out.requires_grad()) out.node()->relu_output = true;
  out.node()->value_copy = std::move(c.y_copy);
  return out;
}

}  // namespace occam
