// Matrix products through kernels::gemm (oneDNN); dense layers with their bias and ReLU fused.
#include "occam/autograd/ops.h"
#include "occam/tensor/epilogue.h"
#include "occam/tensor/gemm.h"

namespace occam {

using kernels::gemm;
using kernels::Trans;

// y = a·b      a [M,K]   b [K,N]   y [M,N]
// da += dy·bᵀ  [M,K]     db += aᵀ·dy [K,N]
Var matmul(const Var& a, const Var& b) {
  OCCAM_CHECK(a.rank() == 2 && b.rank() == 2 && a.dim(1) == b.dim(0),
              "matmul: expected a [M,K] and b [K,N], got a ", a.shape(), " and b ", b.shape());
  const int64_t M = a.dim(0), K = a.dim(1), N = b.dim(1);
  Tensor y = Tensor::empty({M, N});
  gemm(Trans::none, Trans::none, M, N, K, 1.f, a.value().data(), K, b.value().data(), N, 0.f,
       y.data(), N);
  return record("matmul", std::move(y), {a, b}, [M, K, N](Node& n) {
    const float* dy = n.grad.data();
    if (n.needs_grad(0))
      gemm(Trans::none, Trans::transpose, M, K, N, 1.f, dy, N, n.input(1).data(), N, 1.f,
           n.grad_of(0).data(), K);
    if (n.needs_grad(1))
      gemm(Trans::transpose, Trans::none, K, N, M, 1.f, n.input(0).data(), K, dy, N, 1.f,
           n.grad_of(1).data(), N);
  });
}

namespace {

// Shared by dense and dense_relu. x [N,in]   W [in,out]   b [out] (may be undefined)
void check_dense(const char* op, const Var& x, const Var& w, const Var& b) {
  OCCAM_CHECK(x.rank() == 2 && w.rank() == 2 && x.dim(1) == w.dim(0), op,
              ": expected x [N,in] and kernel [in,out], got x ", x.shape(), " and kernel ",
              w.shape());
  OCCAM_CHECK(!b.defined() || (b.rank() == 1 && b.dim(0) == w.dim(1)), op, ": expected bias [",
              w.dim(1), "], got ", b.shape());
}

// y = x·W + b: the bias is written first and the GEMM adds the product (beta = 1).
Tensor dense_forward(const Var& x, const Var& w, const Var& b) {
  const int64_t N = x.dim(0), in = x.dim(1), out = w.dim(1);
  Tensor y = Tensor::empty({N, out});
  if (b.defined()) kernels::broadcast_rows(y.data(), b.value().data(), N, out);
  gemm(Trans::none, Trans::none, N, out, in, 1.f, x.value().data(), in, w.value().data(), out,
       b.defined() ? 1.f : 0.f, y.data(), out);
  return y;
}

// Given g = ∂/∂(x·W + b):  dx += g·Wᵀ   dW += xᵀ·g   db += Σ_rows g
void dense_backward(Node& n, const float* g, int64_t N, int64_t in, int64_t out) {
  if (n.needs_grad(0)) {
    const float beta = n.first_grad_of(0) ? 0.f : 1.f;  // write a fresh buffer, else add
    gemm(Trans::none, Trans::transpose, N, in, out, 1.f, g, out, n.input(1).data(), out, beta,
         n.grad_of(0).data(), in);
  }
  if (n.needs_grad(1))
    gemm(Trans::transpose, Trans::none, in, out, N, 1.f, n.input(0).data(), in, g, out, 1.f,
         n.grad_of(1).data(), out);
  if (n.inputs.size() > 2 && n.needs_grad(2))
    kernels::add_column_sums(n.grad_of(2).data(), g, N, out);
}

std::vector<Var> dense_inputs(const Var& x, const Var& w, const Var& b) {
  if (b.defined()) return {x, w, b};
  return {x, w};
}

}  // namespace

// y = x·W + b   x [N,in]   W [in,out]   b [out]   y [N,out]
// dx += dy·Wᵀ   dW += xᵀ·dy   db += Σ_rows dy
Var dense(const Var& x, const Var& w, const Var& b) {
  check_dense("dense", x, w, b);
  const int64_t N = x.dim(0), in = x.dim(1), out = w.dim(1);
  return record("dense", dense_forward(x, w, b), dense_inputs(x, w, b),
                [N, in, out](Node& n) { dense_backward(n, n.grad.data(), N, in, out); });
}

// y = max(x·W + b, 0): relu(dense(x, W, b)) as one op, the same numbers with one tape node and
// no separate ReLU tensor.   g = dy where y > 0, else 0;  then dense's backward with g.
Var dense_relu(const Var& x, const Var& w, const Var& b) {
  check_dense("dense_relu", x, w, b);
  const int64_t N = x.dim(0), in = x.dim(1), out = w.dim(1);
  Tensor y = dense_forward(x, w, b);
  kernels::relu_inplace(y.data(), y.numel());
  Var result = record("dense_relu", std::move(y), dense_inputs(x, w, b), [N, in, out](Node& n) {
    // In place: this node's gradient is read by nobody after its backward.
    float* g = n.grad.data();
    if (!n.grad_relu_masked) kernels::relu_backward(g, g, n.value.data(), n.grad.numel());
    dense_backward(n, g, N, in, out);
  });
  if (result.requires_grad()) result.node()->relu_output = true;
  return result;
}

Var transpose(const Var& x) {
  OCCAM_CHECK(x.rank() == 2, "transpose: expected a matrix [M,N], got ", x.shape());
  const int64_t M = x.dim(0), N = x.dim(1);
  Tensor y = Tensor::empty({N, M});
  const float* px = x.value().data();
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) y[j * M + i] = px[i * N + j];
  return record("transpose", std::move(y), {x}, [M, N](Node& n) {
    const float* dy = n.grad.data();
    float* dx = n.grad_of(0).data();
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) dx[i * N + j] += dy[j * M + i];
  });
}

}  // namespace occam
