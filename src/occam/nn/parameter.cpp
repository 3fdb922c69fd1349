#include "occam/nn/parameter.h"

namespace occam::nn {

Parameter::Parameter(std::string name_, Tensor init, regularize::Layout layout_)
    : name(std::move(name_)), value(leaf(std::move(init))), layout(layout_) {}

void Parameter::zero_grad() {
  if (value.grad().defined()) value.grad().fill(0.f);
}

}  // namespace occam::nn
