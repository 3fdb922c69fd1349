// Shape ops. A reshape is a view of the same data, so its backward is a reshape too; concat,
// slice and permute copy, and their backward copies the gradient back the other way
// (slice ↔ the matching part of concat, permute ↔ the inverse permutation).
#include <cstring>

#include "occam/autograd/ops.h"
#include "occam/tensor/permute.h"

namespace occam {

namespace {

// axis in [−rank, rank) → [0, rank); throws naming the op and the shapes.
int normalize_axis(const char* op, int axis, int rank, const std::string& shapes) {
  OCCAM_CHECK(axis >= -rank && axis < rank, op, ": axis ", axis, " out of range for rank ", rank,
              " (", shapes, ")");
  return axis < 0 ? axis + rank : axis;
}

int64_t product(const Shape& shape, int from, int to) {
  int64_t p = 1;
  for (int d = from; d < to; ++d) p *= shape[d];
  return p;
}

// dst (+)= src over n floats: written when `write`, else added to.
void copy_or_add(float* dst, const float* src, int64_t n, bool write) {
  if (write)
    std::memcpy(dst, src, size_t(n) * sizeof(float));
  else
    for (int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

}  // namespace

Var reshape(const Var& x, Shape shape) {
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      OCCAM_CHECK(infer < 0, "reshape: more than one -1 in ", shape, " (x ", x.shape(), ")");
      infer = static_cast<int>(i);
    } else {
      OCCAM_CHECK(shape[i] >= 0, "reshape: negative size in ", shape, " (x ", x.shape(), ")");
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

// y = the inputs laid end to end along `axis`. Seen as [outer, size_k·inner] rows, y's row o is
// the inputs' rows o one after the other; dx_k is its part of dy's rows.
Var concat(const std::vector<Var>& xs, int axis) {
  OCCAM_CHECK(!xs.empty(), "concat: expected at least one input");
  std::string shapes;
  for (const Var& x : xs) shapes += (shapes.empty() ? "" : ", ") + shape_str(x.shape());
  const int rank = xs[0].rank();
  OCCAM_CHECK(rank >= 1, "concat: expected inputs of rank >= 1, got ", shapes);
  axis = normalize_axis("concat", axis, rank, shapes);
  Shape y_shape = xs[0].shape();
  y_shape[axis] = 0;
  for (const Var& x : xs) {
    bool same = x.rank() == rank;
    for (int d = 0; same && d < rank; ++d) same = d == axis || x.dim(d) == y_shape[d];
    OCCAM_CHECK(same, "concat: shapes must agree except on axis ", axis, ", got ", shapes);
    y_shape[axis] += x.dim(axis);
  }
  const int64_t outer = product(y_shape, 0, axis), inner = product(y_shape, axis + 1, rank);
  const int64_t row = y_shape[axis] * inner;
  Tensor y = Tensor::empty(y_shape);
  int64_t offset = 0;
  for (const Var& x : xs) {
    const int64_t chunk = x.dim(axis) * inner;
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(y.data() + o * row + offset, x.value().data() + o * chunk,
                  size_t(chunk) * sizeof(float));
    offset += chunk;
  }
  return record("concat", std::move(y), xs, [axis, outer, inner, row](Node& n) {
    int64_t offset = 0;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const int64_t chunk = n.input(k).dim(axis) * inner;
      if (n.needs_grad(k)) {
        const bool write = n.first_grad_of(k);  // (one node given twice: written, then added to)
        float* dx = n.grad_of(k).data();
        for (int64_t o = 0; o < outer; ++o)
          copy_or_add(dx + o * chunk, n.grad.data() + o * row + offset, chunk, write);
      }
      offset += chunk;
    }
  });
}

// y = x[…, start:stop, …] on `axis`. Seen as x [outer, size, inner], y's row o is x's row o
// from start·inner to stop·inner; dx is dy there and 0 elsewhere.
Var slice(const Var& x, int axis, int64_t start, int64_t stop) {
  const std::string shapes = "x " + shape_str(x.shape());
  axis = normalize_axis("slice", axis, x.rank(), shapes);
  const int64_t size = x.dim(axis);
  OCCAM_CHECK(0 <= start && start <= stop && stop <= size,
              "slice: expected 0 <= start <= stop <= ", size, " on axis ", axis, " of x ",
              x.shape(), ", got start ", start, ", stop ", stop);
  Shape y_shape = x.shape();
  y_shape[axis] = stop - start;
  const int64_t outer = product(y_shape, 0, axis), inner = product(y_shape, axis + 1, x.rank());
  const int64_t chunk = (stop - start) * inner, row = size * inner, skip = start * inner;
  Tensor y = Tensor::empty(y_shape);
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(y.data() + o * chunk, x.value().data() + o * row + skip,
                size_t(chunk) * sizeof(float));
  return record("slice", std::move(y), {x}, [outer, chunk, row, skip](Node& n) {
    float* dx = n.grad_of(0).data();  // zero outside the slice
    for (int64_t o = 0; o < outer; ++o)
      copy_or_add(dx + o * row + skip, n.grad.data() + o * chunk, chunk, false);
  });
}

// y's axis d is x's axis perm[d];  dx (+)= permute(dy, perm⁻¹).
Var permute(const Var& x, std::vector<int> perm) {
  const int rank = x.rank();
  for (int& a : perm)
    if (a < 0 && a >= -rank) a += rank;
  const Shape y_shape = kernels::permuted_shape(x.shape(), perm);  // checks perm
  Tensor y = Tensor::empty(y_shape);
  kernels::permute(x.value().data(), x.shape(), perm, y.data());
  std::vector<int> inverse(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) inverse[perm[d]] = static_cast<int>(d);
  return record("permute", std::move(y), {x}, [inverse = std::move(inverse)](Node& n) {
    const bool write = n.first_grad_of(0);
    kernels::permute(n.grad.data(), n.value.shape(), inverse, n.grad_of(0).data(), !write);
  });
}

}  // namespace occam
