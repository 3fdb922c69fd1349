// The shape shared by the elementwise losses (binary CE, MSE, Huber, smooth L1): a value f(x, t)
// per element, mean over all elements, and the derivative df/dx beside it.
#pragma once

#include "occam/autograd/var.h"

namespace occam::loss::detail {

// loss = (1/n)·Σ_i f(x[i], t[i])      dx[i] += dloss·df(x[i], t[i])/n      x, t same shape, n =
// numel The sum runs in double, in order, so the value does not depend on the thread count.
// `x_name` and `t_name` ("logits", "targets") are what shape errors call the two tensors.
template <class F, class DF>
Var mean_elementwise_loss(const char* op, const char* x_name, const Var& x, const char* t_name,
                          const Tensor& t, F f, DF df) {
  OCCAM_CHECK(t.shape() == x.shape(), op, ": expected ", t_name, " of the same shape as ", x_name,
              " ", x.shape(), ", got ", t.shape());
  OCCAM_CHECK(x.numel() > 0, op, ": empty ", x_name, " ", x.shape());
  const int64_t n = x.numel();
  const float* px = x.value().data();
  const float* pt = t.data();
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) acc += f(px[i], pt[i]);
  return record(op, Tensor::scalar(float(acc / double(n))), {x}, [t, df](Node& node) {
    const float* px = node.input(0).data();
    const float* pt = t.data();
    const int64_t count = node.input(0).numel();
    const float scale = node.grad[0] / float(count);
    float* dx = node.grad_of(0).data();
    for (int64_t i = 0; i < count; ++i) dx[i] += scale * df(px[i], pt[i]);
  });
}

}  // namespace occam::loss::detail
