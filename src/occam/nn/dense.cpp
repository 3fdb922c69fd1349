#include "occam/nn/dense.h"

#include "occam/autograd/ops.h"

namespace occam::nn {

Dense::Dense(const DenseOptions& options, int64_t in_features, Rng& rng)
    : options_(options), in_(in_features) {
  set_name(options_.name);
  OCCAM_CHECK(options_.units >= 1, label(), ": expected units >= 1, got ", options_.units);
  OCCAM_CHECK(in_ >= 1, label(), ": expected in_features >= 1, got ", in_);
  kernel_ = Parameter(scoped("kernel"),
                      initialize(options_.kernel_initializer, {in_, options_.units}, rng),
                      regularize::Layout::dense_kernel);
  if (options_.use_bias)
    bias_ = Parameter(scoped("bias"), initialize(options_.bias_initializer, {options_.units}, rng),
                      regularize::Layout::vector);
  attach(options_.attach);
}

std::vector<Parameter*> Dense::parameters() {
  if (options_.use_bias) return {&kernel_, &bias_};
  return {&kernel_};
}

Shape Dense::output_shape(const Shape& in) const {
  OCCAM_CHECK(in.size() == 2 && in[1] == in_, label(), ": expected x [N,", in_, "], got ", in);
  return {in[0], options_.units};
}

Var Dense::forward(const Var& x, StepContext&) {
  output_shape(x.shape());
  const Var bias = options_.use_bias ? bias_.value : Var();
  if (options_.activation == Activation::relu) return dense_relu(x, kernel_.value, bias);
  return apply_activation(dense(x, kernel_.value, bias), options_.activation);
}

}  // namespace occam::nn
