#include "occam/regularize/gradient_norm.h"

#include <cmath>

namespace occam::regularize {

double l2_norm(const Tensor& t) {
  double ss = 0;
  for (float v : t.span()) ss += double(v) * v;
  return std::sqrt(ss);
}

double penalty_gradient_norm(const Regularizer& r, const Tensor& w) {
  Tensor g = Tensor::zeros(w.shape());
  if (!r.add_penalty_gradient(w, g)) {
    Var copy = leaf(w);  // shares the data, owns its own gradient
    backward(r.penalty(copy));
    if (copy.grad().defined()) g = copy.grad();
  }
  return l2_norm(g);
}

}  // namespace occam::regularize
