#include "occam/nn/initializer.h"

#include <array>
#include <cmath>
#include <utility>

namespace occam::nn {

namespace {
constexpr std::array<std::pair<Initializer, std::string_view>, 6> kNames = {{
    {Initializer::glorot_uniform, "glorot_uniform"},
    {Initializer::glorot_normal, "glorot_normal"},
    {Initializer::he_uniform, "he_uniform"},
    {Initializer::he_normal, "he_normal"},
    {Initializer::zeros, "zeros"},
    {Initializer::ones, "ones"},
}};

// The standard deviation of N(0,1) truncated to [−2, 2].
constexpr double kTruncatedStddev = 0.87962566103423978;

void fill_uniform(Tensor& t, double limit, Rng& rng) {
  for (float& v : t.span()) v = rng.uniform(-float(limit), float(limit));
}

void fill_truncated_normal(Tensor& t, double stddev, Rng& rng) {
  const float scale = float(stddev / kTruncatedStddev);
  for (float& v : t.span()) {
    float z = rng.normal();
    while (std::fabs(z) > 2.f) z = rng.normal();
    v = scale * z;
  }
}
}  // namespace

std::string_view to_string(Initializer initializer) {
  for (const auto& [i, name] : kNames)
    if (i == initializer) return name;
  return "unknown";
}

std::vector<std::pair<std::string, Initializer>> initializer_names() {
  std::vector<std::pair<std::string, Initializer>> out;
  for (const auto& [i, n] : kNames) out.emplace_back(std::string(n), i);
  return out;
}

std::optional<Initializer> initializer_from_string(std::string_view name) {
  for (const auto& [i, n] : kNames)
    if (n == name) return i;
  return std::nullopt;
}

Fans fans_of(const Shape& shape) {
  switch (shape.size()) {
    case 0:
      return {1, 1};
    case 1:
      return {double(shape[0]), double(shape[0])};
    case 2:
      return {double(shape[0]), double(shape[1])};
    default: {
      double receptive = 1;
      for (size_t d = 2; d < shape.size(); ++d) receptive *= double(shape[d]);
      return {double(shape[1]) * receptive, double(shape[0]) * receptive};
    }
  }
}

Tensor initialize(Initializer initializer, const Shape& shape, Rng& rng) {
  return initialize(initializer, shape, fans_of(shape), rng);
}

Tensor initialize(Initializer initializer, const Shape& shape, Fans fans, Rng& rng) {
  Tensor t = Tensor::empty(shape);
  OCCAM_CHECK(t.numel() == 0 || (fans.in > 0 && fans.out > 0),
              "initialize: ", to_string(initializer), " needs positive fans, got shape ", shape);
  switch (initializer) {
    case Initializer::glorot_uniform:
      fill_uniform(t, std::sqrt(6.0 / (fans.in + fans.out)), rng);
      break;
    case Initializer::glorot_normal:
      fill_truncated_normal(t, std::sqrt(2.0 / (fans.in + fans.out)), rng);
      break;
    case Initializer::he_uniform:
      fill_uniform(t, std::sqrt(6.0 / fans.in), rng);
      break;
    case Initializer::he_normal:
      fill_truncated_normal(t, std::sqrt(2.0 / fans.in), rng);
      break;
    case Initializer::zeros:
      t.fill(0.f);
      break;
    case Initializer::ones:
      t.fill(1.f);
      break;
  }
  return t;
}

}  // namespace occam::nn
