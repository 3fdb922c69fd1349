// Batch normalization through kernels::batch_norm_* (per channel, parallel over C).
#include "occam/autograd/nn_ops.h"
#include "occam/tensor/batch_norm.h"

namespace occam {

namespace {
// x [N,C] or [N,C,H,W] viewed as [N, C, S]; gamma and beta [C].
struct NormDims {
  int64_t N, C, S;
};
NormDims norm_dims(const char* op, const Var& x, const Var& gamma, const Var& beta, float eps) {
  OCCAM_CHECK(x.rank() == 2 || x.rank() == 4, op, ": expected x [N,C] or [N,C,H,W], got ",
              x.shape());
  const int64_t C = x.dim(1);
  OCCAM_CHECK(gamma.shape() == Shape{C} && beta.shape() == Shape{C}, op,
              ": expected gamma and beta [", C, "] for x ", x.shape(), ", got gamma ",
              gamma.shape(), " and beta ", beta.shape());
  OCCAM_CHECK(eps >= 0.f, op, ": expected eps >= 0, got ", eps);
  return {x.dim(0), C, x.rank() == 4 ? x.dim(2) * x.dim(3) : 1};
}
}  // namespace

// y = gamma·x̂ + beta, x̂ = (x − mean)/√(var + eps), mean and biased var of this batch per channel.
// dgamma += Σ dy·x̂   dbeta += Σ dy   dx += gamma/√(var + eps)·(dy − mean(dy) − x̂·mean(dy·x̂))
BatchNormOutput batch_norm_train(const Var& x, const Var& gamma, const Var& beta, float eps) {
  const NormDims d = norm_dims("batch_norm_train", x, gamma, beta, eps);
  // Plain names, not a structured binding: the lambda captures them (Clang < 16 cannot).
  const int64_t N = d.N, C = d.C, S = d.S;
  OCCAM_CHECK(N * S > 0, "batch_norm_train: expected a non-empty batch, got x ", x.shape());
  Tensor mean = Tensor::empty({C}), var = Tensor::empty({C});
  kernels::batch_norm_statistics(N, C, S, x.value().data(), mean.data(), var.data());
  Tensor y = Tensor::empty(x.shape());
  kernels::batch_norm_forward(N, C, S, x.value().data(), mean.data(), var.data(), eps,
                              gamma.value().data(), beta.value().data(), y.data());
  // The backward keeps its own copy of the statistics: the caller may use the returned ones.
  Var out = record("batch_norm_train", std::move(y), {x, gamma, beta},
                   [N, C, S, eps, mean = mean.clone(), var = var.clone()](Node& n) {
                     kernels::batch_norm_backward(N, C, S, n.grad.data(), n.input(0).data(),
                                                  mean.data(), var.data(), eps, n.input(1).data(),
                                                  /*batch_stats=*/true,
                                                  n.needs_grad(0) ? n.grad_of(0).data() : nullptr,
                                                  n.needs_grad(1) ? n.grad_of(1).data() : nullptr,
                                                  n.needs_grad(2) ? n.grad_of(2).data() : nullptr);
                   });
  return {std::move(out), std::move(mean), std::move(var)};
}

// y = gamma·(x − running_mean)/√(running_var + eps) + beta
// dgamma += Σ dy·x̂   dbeta += Σ dy   dx += gamma/√(running_var + eps)·dy
Var batch_norm_eval(const Var& x, const Var& gamma, const Var& beta, const Tensor& running_mean,
                    const Tensor& running_var, float eps) {
  const NormDims d = norm_dims("batch_norm_eval", x, gamma, beta, eps);
  const int64_t N = d.N, C = d.C, S = d.S;
  OCCAM_CHECK(running_mean.shape() == Shape{C} && running_var.shape() == Shape{C},
              "batch_norm_eval: expected running mean and variance [", C, "] for x ", x.shape(),
              ", got ", running_mean.shape(), " and ", running_var.shape());
  Tensor y = Tensor::empty(x.shape());
  kernels::batch_norm_forward(N, C, S, x.value().data(), running_mean.data(), running_var.data(),
                              eps, gamma.value().data(), beta.value().data(), y.data());
  return record("batch_norm_eval", std::move(y), {x, gamma, beta},
                [N, C, S, eps, mean = running_mean.clone(), var = running_var.clone()](Node& n) {
                  kernels::batch_norm_backward(N, C, S, n.grad.data(), n.input(0).data(),
                                               mean.data(), var.data(), eps, n.input(1).data(),
                                               /*batch_stats=*/false,
                                               n.needs_grad(0) ? n.grad_of(0).data() : nullptr,
                                               n.needs_grad(1) ? n.grad_of(1).data() : nullptr,
                                               n.needs_grad(2) ? n.grad_of(2).data() : nullptr);
                });
}

}  // namespace occam
