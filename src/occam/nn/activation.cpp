#include "occam/nn/activation.h"

#include <array>
#include <utility>

#include "occam/autograd/nn_ops.h"
#include "occam/autograd/ops.h"

namespace occam::nn {

namespace {
// The one table between config spellings and enum values.
constexpr std::array<std::pair<Activation, std::string_view>, 9> kNames = {{
    {Activation::linear, "linear"},
    {Activation::relu, "relu"},
    {Activation::relu6, "relu6"},
    {Activation::leaky_relu, "leaky_relu"},
    {Activation::sigmoid, "sigmoid"},
    {Activation::tanh, "tanh"},
    {Activation::gelu, "gelu"},
    {Activation::softmax, "softmax"},
    {Activation::log_softmax, "log_softmax"},
}};
}  // namespace

std::string_view to_string(Activation activation) {
  for (const auto& [a, name] : kNames)
    if (a == activation) return name;
  return "unknown";
}

std::vector<std::pair<std::string, Activation>> activation_names() {
  std::vector<std::pair<std::string, Activation>> out;
  for (const auto& [a, n] : kNames) out.emplace_back(std::string(n), a);
  return out;
}

std::optional<Activation> activation_from_string(std::string_view name) {
  for (const auto& [a, n] : kNames)
    if (n == name) return a;
  return std::nullopt;
}

Var apply_activation(const Var& x, Activation activation, float negative_slope) {
  switch (activation) {
    case Activation::linear:
      return x;
    case Activation::relu:
      return relu(x);
    case Activation::relu6:
      return relu6(x);
    case Activation::leaky_relu:
      return leaky_relu(x, negative_slope);
    case Activation::sigmoid:
      return sigmoid(x);
    case Activation::tanh:
      return tanh(x);
    case Activation::gelu:
      return gelu(x);
    case Activation::softmax:
      return softmax(x);
    case Activation::log_softmax:
      return log_softmax(x);
  }
  OCCAM_CHECK(false, "apply_activation: unknown activation ", int(activation));
  return x;
}

ActivationLayer::ActivationLayer(ActivationOptions options) : options_(std::move(options)) {
  set_name(options_.name);
}

Shape ActivationLayer::output_shape(const Shape& in) const {
  const bool needs_axis =
      options_.activation == Activation::softmax || options_.activation == Activation::log_softmax;
  OCCAM_CHECK(!needs_axis || (!in.empty() && in.back() > 0), label(), ": ",
              to_string(options_.activation), " expected x [N,C] with C >= 1, got ", in);
  return in;
}

Var ActivationLayer::forward(const Var& x, StepContext&) {
  output_shape(x.shape());
  return apply_activation(x, options_.activation, options_.negative_slope);
}

}  // namespace occam::nn
