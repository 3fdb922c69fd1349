// Pooling through kernels::*_pool2d_* (plain loops, parallel over N·C).
#include "occam/autograd/nn_ops.h"
#include "occam/tensor/conv.h"
#include "occam/tensor/pool.h"

namespace occam {

namespace {
kernels::Pool2dShape pool_shape(const char* op, const Var& x, Size2 window, Size2 stride) {
  OCCAM_CHECK(x.rank() == 4, op, ": expected x [N,C,H,W], got ", x.shape());
  OCCAM_CHECK(window[0] >= 1 && window[1] >= 1 && stride[0] >= 1 && stride[1] >= 1, op,
              ": expected window and stride >= 1, got window ", window[0], "x", window[1],
              ", stride ", stride[0], "x", stride[1]);
  OCCAM_CHECK(window[0] <= x.dim(2) && window[1] <= x.dim(3), op, ": window ", window[0], "x",
              window[1], " larger than the input ", x.dim(2), "x", x.dim(3), " (x ", x.shape(),
              ")");
  const kernels::Pool2dShape s{.N = x.dim(0),
                               .C = x.dim(1),
                               .H = x.dim(2),
                               .W = x.dim(3),
                               .KH = window[0],
                               .KW = window[1],
                               .stride_h = stride[0],
                               .stride_w = stride[1]};
  kernels::check_pool2d_shape(s);  // sizes > 0
  return s;
}
}  // namespace

// y[n,c,i,j] = max over the window;  dx[first argmax] += dy
Var max_pool2d(const Var& x, Size2 window, Size2 stride) {
  const kernels::Pool2dShape s = pool_shape("max_pool2d", x, window, stride);
  Tensor y = Tensor::empty({s.N, s.C, s.out_h(), s.out_w()});
  kernels::max_pool2d_forward(s, x.value().data(), y.data());
  return record("max_pool2d", std::move(y), {x}, [s](Node& n) {
    Node& in = *n.inputs[0];
    // x is a ReLU output that only this pool reads: apply the ReLU's mask here, in the same
    // pass, and let the ReLU's own backward skip its pass over the (large) input.
    const bool sole_reader_of_relu = in.relu_output && in.consumers == 1 && !in.grad.defined();
    const bool write = n.first_grad_of(0);  // a fresh buffer: written, not added to
    // ... and when the ReLU output is a convolution's, kept in oneDNN's layout: write the
    // gradient in that layout (the convolution's grad_copy), sparing its backward a reorder.
    if (sole_reader_of_relu && kernels::is_nchw16c(in.value_copy, s.N, s.C, s.H, s.W)) {
      Tensor dx = Tensor::empty({in.value_copy.data.numel()});
      if (kernels::max_pool2d_backward_relu_masked_nchw16c(s, n.grad.data(),
                                                           in.value_copy.data.data(), dx.data())) {
        in.grad_copy = {std::move(dx), in.value_copy.layout};
        in.grad_relu_masked = true;
        return;
      }
    }
    if (sole_reader_of_relu && kernels::max_pool2d_backward_relu_masked(
                                   s, n.grad.data(), n.input(0).data(), in.grad.data())) {
      in.grad_relu_masked = true;
      return;
    }
    kernels::max_pool2d_backward(s, n.grad.data(), n.input(0).data(), n.grad_of(0).data(), write);
  });
}

// y[n,c,i,j] = mean over the window;  dx[window] += dy/(KH·KW)
Var avg_pool2d(const Var& x, Size2 window, Size2 stride) {
  const kernels::Pool2dShape s = pool_shape("avg_pool2d", x, window, stride);
  Tensor y = Tensor::empty({s.N, s.C, s.out_h(), s.out_w()});
  kernels::avg_pool2d_forward(s, x.value().data(), y.data());
  return record("avg_pool2d", std::move(y), {x}, [s](Node& n) {
    kernels::avg_pool2d_backward(s, n.grad.data(), n.grad_of(0).data());
  });
}

// y[n,c] = mean of x[n,c,:,:];  dx[n,c,:,:] += dy[n,c]/(H·W)
Var global_avg_pool2d(const Var& x) {
  OCCAM_CHECK(x.rank() == 4 && x.dim(2) > 0 && x.dim(3) > 0,
              "global_avg_pool2d: expected x [N,C,H,W] with H, W >= 1, got ", x.shape());
  const int64_t planes = x.dim(0) * x.dim(1), HW = x.dim(2) * x.dim(3);
  Tensor y = Tensor::empty({x.dim(0), x.dim(1)});
  kernels::global_avg_pool2d_forward(planes, HW, x.value().data(), y.data());
  return record("global_avg_pool2d", std::move(y), {x}, [planes, HW](Node& n) {
    kernels::global_avg_pool2d_backward(planes, HW, n.grad.data(), n.grad_of(0).data());
  });
}

}  // namespace occam
