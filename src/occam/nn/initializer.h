// Weight initializers with Keras semantics, spelled as in the config. All randomness comes
// from the Rng passed in.
//   glorot_uniform  U(−l, l), l = √(6/(fan_in + fan_out))
//   glorot_normal   truncated normal, σ = √(2/(fan_in + fan_out))
//   he_uniform      U(−l, l), l = √(6/fan_in)
//   he_normal       truncated normal, σ = √(2/fan_in)
//   zeros, ones
// Keras's truncated normal (VarianceScaling, keras/src/initializers/random_initializers.py)
// draws z ~ N(0,1), redraws while |z| > 2, and scales by σ/0.87962566103423978, the standard
// deviation of N(0,1) truncated to [−2, 2], so the result has standard deviation σ.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "occam/tensor/rng.h"
#include "occam/tensor/tensor.h"

namespace occam::nn {

enum class Initializer { glorot_uniform, glorot_normal, he_uniform, he_normal, zeros, ones };

std::string_view to_string(Initializer initializer);
std::optional<Initializer> initializer_from_string(std::string_view name);
// Every initializer with its config spelling (the table both functions above read).
std::vector<std::pair<std::string, Initializer>> initializer_names();

// Keras compute_fans on Occam's layouts:
//   []            fan_in = fan_out = 1
//   [n]           fan_in = fan_out = n
//   [in, out]     dense kernel
//   [O, I, k...]  conv kernel (OIHW): fan_in = I·Πk, fan_out = O·Πk
struct Fans {
  double in = 1, out = 1;
};
Fans fans_of(const Shape& shape);

// A tensor of `shape` drawn from `initializer` (row-major order, one draw per element).
Tensor initialize(Initializer initializer, const Shape& shape, Rng& rng);
// The same with given fans, for a layout whose Keras shape is not Occam's (a depthwise kernel:
// Keras [KH, KW, C, M], Occam [C·M, 1, KH, KW]).
Tensor initialize(Initializer initializer, const Shape& shape, Fans fans, Rng& rng);

}  // namespace occam::nn
