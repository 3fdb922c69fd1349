// Shape ops: a reshape is a view of the same data, so its backward is a reshape too.
#include "occam/autograd/ops.h"

namespace occam {

Var reshape(const Var& x, Shape shape) {
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      OCCAM_CHECK(infer < 0, "reshape: more than one -1 in ", shape);
      infer = static_cast<int>(i);
    } else {
      OCCAM_CHECK(shape[i] >= 0, "reshape: negative size in ", shape);
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    OCCAM_CHECK(known > 0 && x.numel() % known == 0, "reshape: cannot view ", x.shape(), " as ",
                shape);
    shape[infer] = x.numel() / known;
  }
  OCCAM_CHECK(numel_of(shape) == x.numel(), "reshape: cannot view ", x.shape(), " as ", shape);
  return record("reshape", x.value().reshaped(shape), {x}, [](Node& n) {
    Node& in = *n.inputs[0];
    if (!in.grad.defined()) {
      // The first contribution is dy itself, seen in x's shape: share the buffer (this node's
      // gradient is not read again once its backward has run).
      in.grad = n.grad.reshaped(in.value.shape());
      return;
    }
    const float* dy = n.grad.data();
    float* dx = in.grad.data();
    for (int64_t i = 0; i < in.grad.numel(); ++i) dx[i] += dy[i];
  });
}

Var flatten(const Var& x) {
  OCCAM_CHECK(x.rank() >= 1, "flatten: expected [N, ...], got a scalar");
  return reshape(x, {x.dim(0), -1});
}

}  // namespace occam
