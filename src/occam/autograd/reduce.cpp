// Reductions. Sums accumulate in double, so a float32 sum over a million weights keeps its
// low digits (the L2 penalty of a whole kernel is one such sum).
#include <algorithm>

#include "occam/autograd/broadcast.h"
#include "occam/autograd/ops.h"

namespace occam {

Var sum(const Var& x) {
  double acc = 0;
  const float* px = x.value().data();
  for (int64_t i = 0; i < x.numel(); ++i) acc += px[i];
  return record("sum", Tensor::scalar(float(acc)), {x}, [](Node& n) {
    const float dy = n.grad[0];
    Tensor& dx = n.grad_of(0);
    for (float& v : dx.span()) v += dy;
  });
}

Var mean(const Var& x) {
  OCCAM_CHECK(x.numel() > 0, "mean: empty tensor ", x.shape());
  return scale(sum(x), 1.f / float(x.numel()));
}

namespace {
// The shape with `axes` set to 1, and the sorted, de-duplicated, non-negative axes.
Shape kept_shape(const char* op, const Shape& shape, std::vector<int>& axes) {
  const int r = static_cast<int>(shape.size());
  for (int& a : axes) {
    OCCAM_CHECK(a >= -r && a < r, op, ": axis ", a, " out of range for shape ", shape);
    if (a < 0) a += r;
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  Shape kept = shape;
  for (int a : axes) kept[a] = 1;
  return kept;
}
}  // namespace

Var sum(const Var& x, std::vector<int> axes, bool keepdims) {
  const Shape kept = kept_shape("sum", x.shape(), axes);
  std::vector<double> acc(numel_of(kept), 0.0);
  const float* px = x.value().data();
  detail::Broadcast map(x.shape(), x.shape(), kept);
  map.for_each([&](int64_t i, int64_t, int64_t k) { acc[k] += px[i]; });
  Shape out_shape;
  if (keepdims) {
    out_shape = kept;
  } else {
    for (int d = 0; d < x.rank(); ++d)
      if (!std::binary_search(axes.begin(), axes.end(), d)) out_shape.push_back(x.shape()[d]);
  }
  Tensor y = Tensor::empty(out_shape);
  for (int64_t k = 0; k < y.numel(); ++k) y[k] = float(acc[k]);
  return record("sum_axes", std::move(y), {x}, [kept](Node& n) {
    const float* dy = n.grad.data();
    float* dx = n.grad_of(0).data();
    const Shape& xs = n.input(0).shape();
    detail::Broadcast(xs, xs, kept).for_each([&](int64_t i, int64_t, int64_t k) {
      dx[i] += dy[k];
    });
  });
}

Var mean(const Var& x, std::vector<int> axes, bool keepdims) {
  std::vector<int> a = axes;
  const Shape kept = kept_shape("mean", x.shape(), a);
  const int64_t count = x.numel() / std::max<int64_t>(1, numel_of(kept));
  OCCAM_CHECK(count > 0, "mean: reducing empty axes of ", x.shape());
  return scale(sum(x, std::move(axes), keepdims), 1.f / float(count));
}

}  // namespace occam
