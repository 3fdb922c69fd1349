// Pooling layers over NCHW images, padding valid (a partial window at the bottom/right is
// dropped), as Keras MaxPooling2D / AveragePooling2D / GlobalAveragePooling2D.
//   MaxPool2D, AvgPool2D   x [N, C, H, W] → [N, C, (H − KH)/SH + 1, (W − KW)/SW + 1]
//   GlobalAvgPool2D        x [N, C, H, W] → [N, C]
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "occam/autograd/nn_ops.h"
#include "occam/nn/layer.h"

namespace occam::nn {

struct Pool2DOptions {
  Size2 pool_size{2, 2};
  std::optional<Size2> strides;  // default: pool_size (Keras)
  std::string name;              // empty: named by Sequential::add ("max_pooling2d_1")
};

// What MaxPool2D and AvgPool2D share: the options, the shape checks, the output shape.
class Pool2D : public Layer {
 public:
  Var forward(const Var& x, StepContext& ctx) override;
  Shape output_shape(const Shape& in) const override;
  const Pool2DOptions& options() const { return options_; }
  Size2 strides() const { return options_.strides.value_or(options_.pool_size); }

 protected:
  explicit Pool2D(Pool2DOptions options);
  virtual Var pool(const Var& x) const = 0;

  Pool2DOptions options_;
};

class MaxPool2D final : public Pool2D {
 public:
  explicit MaxPool2D(Pool2DOptions options = {}) : Pool2D(std::move(options)) {}
  std::string_view type_name() const override { return "max_pooling2d"; }

 private:
  Var pool(const Var& x) const override { return max_pool2d(x, options_.pool_size, strides()); }
};

class AvgPool2D final : public Pool2D {
 public:
  explicit AvgPool2D(Pool2DOptions options = {}) : Pool2D(std::move(options)) {}
  std::string_view type_name() const override { return "average_pooling2d"; }

 private:
  Var pool(const Var& x) const override { return avg_pool2d(x, options_.pool_size, strides()); }
};

class GlobalAvgPool2D final : public Layer {
 public:
  explicit GlobalAvgPool2D(std::string name = {}) { set_name(std::move(name)); }
  Var forward(const Var& x, StepContext& ctx) override;
  Shape output_shape(const Shape& in) const override;
  std::string_view type_name() const override { return "global_average_pooling2d"; }
};

}  // namespace occam::nn
