// Constraints: projections applied to a parameter after each optimizer update (no gradient).
// Norms are taken per output unit: over dim 0 of a dense kernel [in,out] (Keras axis=0) and over
// dims (1,2,3) of a conv kernel OIHW (Keras axis=[0,1,2] on HWIO); a depthwise kernel
// [C·M, 1, KH, KW] is a conv kernel whose unit is one output channel's KH×KW filter (Keras
// axis=[0,1] on its [KH, KW, C, M]). ε = 1e-7 as Keras.
// Formulas: ../shared/SPEC-regularization.md §5.
#pragma once

#include <memory>
#include <string>

#include "occam/tensor/tensor.h"

namespace occam::regularize {

// How a parameter is laid out, so a constraint knows which elements form one unit.
enum class Layout {
  dense_kernel,  // [in, out]: one unit per column
  conv_kernel,   // [O, I, H, W] (grouped: I = C/groups): one unit per filter, a row of [O, I·H·W]
  vector,        // [n] (bias, batch-norm scale): the whole tensor is one unit
};

class Constraint {
 public:
  virtual ~Constraint() = default;
  // Projects w in place; returns the fraction of units (or elements, for non_neg) it changed
  // beyond the ε rescaling, logged as Constraint/<param>/fraction_clipped.
  virtual float project(Tensor& w, Layout layout) const = 0;
  virtual std::string kind() const = 0;      // "max_norm", ...
  virtual std::string describe() const = 0;  // "max_norm(max_value=2) per output unit"
  virtual std::unique_ptr<Constraint> clone() const = 0;
};

std::unique_ptr<Constraint> max_norm(float max_value = 2.f);
std::unique_ptr<Constraint> min_max_norm(float min_value = 0.f, float max_value = 1.f,
                                         float rate = 1.f);
std::unique_ptr<Constraint> unit_norm();
std::unique_ptr<Constraint> non_neg();

// The L2 norm of every unit of w, in unit order.
std::vector<float> unit_norms(const Tensor& w, Layout layout);

}  // namespace occam::regularize
