// Matrix products through kernels::gemm (oneDNN).
#include "occam/autograd/ops.h"
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

// y = x·W + b   x [N,in]   W [in,out]   b [out]   y [N,out]
// dx += dy·Wᵀ   dW += xᵀ·dy   db += Σ_rows dy
Var dense(const Var& x, const Var& w, const Var& b) {
  OCCAM_CHECK(x.rank() == 2 && w.rank() == 2 && x.dim(1) == w.dim(0),
              "dense: expected x [N,in] and kernel [in,out], got x ", x.shape(), " and kernel ",
              w.shape());
  const int64_t N = x.dim(0), in = x.dim(1), out = w.dim(1);
  OCCAM_CHECK(!b.defined() || (b.rank() == 1 && b.dim(0) == out), "dense: expected bias [", out,
              "], got ", b.shape());
  Tensor y = Tensor::empty({N, out});
  if (b.defined()) {
    const float* pb = b.value().data();
    for (int64_t i = 0; i < N; ++i) std::copy(pb, pb + out, y.data() + i * out);
  }
  gemm(Trans::none, Trans::none, N, out, in, 1.f, x.value().data(), in, w.value().data(), out,
       b.defined() ? 1.f : 0.f, y.data(), out);
  std::vector<Var> inputs{x, w};
  if (b.defined()) inputs.push_back(b);
  return record("dense", std::move(y), inputs, [N, in, out](Node& n) {
    const float* dy = n.grad.data();
    if (n.needs_grad(0))
      gemm(Trans::none, Trans::transpose, N, in, out, 1.f, dy, out, n.input(1).data(), out, 1.f,
           n.grad_of(0).data(), in);
    if (n.needs_grad(1))
      gemm(Trans::transpose, Trans::none, in, out, N, 1.f, n.input(0).data(), in, dy, out, 1.f,
           n.grad_of(1).data(), out);
    if (n.inputs.size() > 2 && n.needs_grad(2)) {
      float* db = n.grad_of(2).data();
      for (int64_t i = 0; i < N; ++i)
        for (int64_t j = 0; j < out; ++j) db[j] += dy[i * out + j];
    }
  });
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
