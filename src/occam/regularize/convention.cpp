#include "occam/regularize/convention.h"

#include <array>
#include <utility>

namespace occam::regularize {

namespace {
constexpr std::array<std::pair<Convention, std::string_view>, 5> kNames{{
    {Convention::keras, "keras"},
    {Convention::tf_keras, "tf_keras"},
    {Convention::tf_slim, "tf_slim"},
    {Convention::tf_od_keras, "tf_od_keras"},
    {Convention::torch, "torch"},
}};
}  // namespace

std::string_view to_string(Convention c) {
  for (const auto& [k, name] : kNames)
    if (k == c) return name;
  return "?";
}

std::optional<Convention> convention_from_string(std::string_view s) {
  for (const auto& [k, name] : kNames)
    if (name == s) return k;
  return std::nullopt;
}

std::vector<std::pair<std::string, Convention>> convention_names() {
  std::vector<std::pair<std::string, Convention>> out;
  for (const auto& [k, name] : kNames) out.emplace_back(std::string(name), k);
  return out;
}

float l2_factor(Convention c) {
  switch (c) {
    case Convention::keras:
    case Convention::tf_keras:
      return 1.f;
    case Convention::tf_slim:
    case Convention::tf_od_keras:
    case Convention::torch:
      return 0.5f;
  }
  return 1.f;
}

}  // namespace occam::regularize
