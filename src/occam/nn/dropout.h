// The dropout family. In eval mode (or with rate 0) each layer returns x itself; in train mode
// it draws from ctx.rng (required) and multiplies or adds a constant:
//   Dropout           y = x·keep/(1 − rate), keep ~ Bernoulli(1 − rate) per element (inverted)
//   SpatialDropout2D  the same with one keep per (n, c): whole channels of x [N,C,H,W] drop
//   GaussianDropout   y = x·m, m ~ N(1, rate/(1 − rate)) per element
//   GaussianNoise     y = x + n, n ~ N(0, stddev²) per element
// Draws run in row-major order, one per element (or per channel), so a seed fixes the masks.
#pragma once

#include <string>

#include "occam/nn/layer.h"

namespace occam::nn {

struct DropoutOptions {
  float rate = 0.5f;  // fraction dropped, in [0, 1)
  std::string name;   // empty: named by Sequential::add ("dropout_1", "spatial_dropout2d_1", ...)
};

class Dropout final : public Layer {
 public:
  explicit Dropout(DropoutOptions options);
  Var forward(const Var& x, StepContext& ctx) override;
  Shape output_shape(const Shape& in) const override { return in; }
  std::string_view type_name() const override { return "dropout"; }
  bool train_only_noise() const override { return true; }
  float rate() const { return options_.rate; }

 private:
  DropoutOptions options_;
};

class SpatialDropout2D final : public Layer {
 public:
  explicit SpatialDropout2D(DropoutOptions options);
  Var forward(const Var& x, StepContext& ctx) override;
  Shape output_shape(const Shape& in) const override;
  std::string_view type_name() const override { return "spatial_dropout2d"; }
  bool train_only_noise() const override { return true; }
  float rate() const { return options_.rate; }

 private:
  DropoutOptions options_;
};

class GaussianDropout final : public Layer {
 public:
  explicit GaussianDropout(DropoutOptions options);
  Var forward(const Var& x, StepContext& ctx) override;
  Shape output_shape(const Shape& in) const override { return in; }
  std::string_view type_name() const override { return "gaussian_dropout"; }
  bool train_only_noise() const override { return true; }
  float rate() const { return options_.rate; }

 private:
  DropoutOptions options_;
};

struct GaussianNoiseOptions {
  float stddev = 0.f;  // required, >= 0
  std::string name;    // empty: named by Sequential::add ("gaussian_noise_1")
};

class GaussianNoise final : public Layer {
 public:
  explicit GaussianNoise(GaussianNoiseOptions options);
  Var forward(const Var& x, StepContext& ctx) override;
  Shape output_shape(const Shape& in) const override { return in; }
  std::string_view type_name() const override { return "gaussian_noise"; }
  bool train_only_noise() const override { return true; }
  float stddev() const { return options_.stddev; }

 private:
  GaussianNoiseOptions options_;
};

}  // namespace occam::nn
