// Activation functions, spelled as in the config ("relu"), and the Activation layer.
//   relu6: min(max(x, 0), 6), gradient 0 at exactly 0 and 6 (torch, TF; autograd/ops.h)
//   leaky_relu: slope 0.2 for x < 0 (keras.activations.leaky_relu; Keras's LeakyReLU layer
//               defaults to 0.3 and torch to 0.01: set negative_slope to match them)
//   gelu: exact, x·Φ(x) (erf form, the Keras and torch default)
//   softmax, log_softmax: over the last axis
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "occam/autograd/var.h"
#include "occam/nn/layer.h"

namespace occam::nn {

enum class Activation {
  linear,
  relu,
  leaky_relu,
  sigmoid,
  tanh,
  gelu,
  softmax,
  log_softmax,
  relu6
};

inline constexpr float kKerasLeakyReluSlope = 0.2f;

// y = activation(x); linear returns x itself.
Var apply_activation(const Var& x, Activation activation,
                     float negative_slope = kKerasLeakyReluSlope);

std::string_view to_string(Activation activation);
std::optional<Activation> activation_from_string(std::string_view name);
// Every activation with its config spelling (the table both functions above read).
std::vector<std::pair<std::string, Activation>> activation_names();

struct ActivationOptions {
  Activation activation = Activation::linear;
  float negative_slope = kKerasLeakyReluSlope;  // leaky_relu only
  std::string name;                             // empty: named by Sequential::add ("activation_1")
};

// Keras Activation layer: y = activation(x), any shape (softmax: rank >= 1).
class ActivationLayer final : public Layer {
 public:
  explicit ActivationLayer(ActivationOptions options);
  Var forward(const Var& x, StepContext& ctx) override;
  Shape output_shape(const Shape& in) const override;
  std::string_view type_name() const override { return "activation"; }
  const ActivationOptions& options() const { return options_; }

 private:
  ActivationOptions options_;
};

}  // namespace occam::nn
