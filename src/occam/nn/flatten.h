// Flatten layer: x [N, ...] → [N, prod(...)], row-major, so NCHW flattens in (c, h, w) order
// (Keras channels_last would give (h, w, c)).
#pragma once

#include <string>

#include "occam/nn/layer.h"

namespace occam::nn {

class Flatten final : public Layer {
 public:
  explicit Flatten(std::string name = {}) { set_name(std::move(name)); }
  Var forward(const Var& x, StepContext& ctx) override;
  Shape output_shape(const Shape& in) const override;
  std::string_view type_name() const override { return "flatten"; }
};

}  // namespace occam::nn
