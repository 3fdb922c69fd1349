#include "occam/nn/flatten.h"

#include "occam/autograd/ops.h"

namespace occam::nn {

Shape Flatten::output_shape(const Shape& in) const {
  OCCAM_CHECK(!in.empty(), label(), ": expected x [N, ...], got a scalar");
  int64_t features = 1;
  for (size_t d = 1; d < in.size(); ++d) features *= in[d];
  return {in[0], features};
}

Var Flatten::forward(const Var& x, StepContext&) { return reshape(x, output_shape(x.shape())); }

}  // namespace occam::nn
