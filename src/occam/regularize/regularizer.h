// A regularizer maps one tensor (a parameter, or a layer's output) to a scalar penalty built from
// Occam's ops, so its gradient comes from the tape. L1 and L2 also have a fused path that adds
// the gradient straight into the parameter's gradient buffer; it gives the same numbers.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "occam/autograd/ops.h"
#include "occam/regularize/convention.h"

namespace occam::regularize {

class Regularizer {
 public:
  virtual ~Regularizer() = default;
  // The penalty as a scalar Var (generic path, gradient from the tape).
  virtual Var penalty(const Var& w) const = 0;
  // "l1", "l2", "l1_l2", "orthogonal", or a user function's name: the last part of a term name.
  virtual std::string kind() const = 0;
  // The formula with its coefficient and convention, for `occam explain`: "1e-04·Σw² (keras)".
  virtual std::string formula() const = 0;
  // Fused path: adds ∂penalty/∂w into dw (same shape as w) and returns the penalty value.
  // nullopt when there is no fused path; the caller then uses penalty().
  virtual std::optional<float> add_penalty_gradient(const Tensor& w, Tensor& dw) const {
    return std::nullopt;
  }
  virtual bool has_fused_path() const { return false; }
  // The coefficients as the formula states them, by name ({"l1", 0}, {"l2", 1e-4}), for run.json
  // and the equivalences; empty for a penalty without such coefficients.
  virtual std::vector<std::pair<std::string, float>> coefficients() const { return {}; }
  virtual std::unique_ptr<Regularizer> clone() const = 0;
};

// λ1·Σ|w| + f·λ2·Σw², f = l2_factor(convention). Either coefficient may be 0 (that part is skipped).
// Gradient: λ1·sign(w) (0 at w = 0) + 2·f·λ2·w.
class L1L2 : public Regularizer {
 public:
  L1L2(float l1, float l2, Convention convention = Convention::keras);
  Var penalty(const Var& w) const override;
  std::string kind() const override;
  std::string formula() const override;
  std::optional<float> add_penalty_gradient(const Tensor& w, Tensor& dw) const override;
  bool has_fused_path() const override { return true; }
  std::vector<std::pair<std::string, float>> coefficients() const override {
    return {{"l1", l1_}, {"l2", l2_}};
  }
  std::unique_ptr<Regularizer> clone() const override { return std::make_unique<L1L2>(*this); }

  float l1() const { return l1_; }
  float l2() const { return l2_; }
  Convention convention() const { return convention_; }

 private:
  float l1_, l2_;
  Convention convention_;
};

std::unique_ptr<Regularizer> l1(float lambda);
std::unique_ptr<Regularizer> l2(float lambda, Convention convention = Convention::keras);
std::unique_ptr<Regularizer> l1_l2(float l1, float l2, Convention convention = Convention::keras);

// Keras OrthogonalRegularizer: factor × mean over unordered pairs i<j of |cos(u_i, u_j)|, where
// u are the rows (mode rows: vectors along axis 1) or columns of a rank-2 tensor, normalised as
// keras.ops.normalize does: x·min(rsqrt(Σx²), 1/1e-7). With one vector the penalty is 0.
enum class OrthogonalMode { rows, columns };
class Orthogonal : public Regularizer {
 public:
  Orthogonal(float factor, OrthogonalMode mode);
  Var penalty(const Var& w) const override;
  std::string kind() const override { return "orthogonal"; }
  std::string formula() const override;
  std::unique_ptr<Regularizer> clone() const override {
    return std::make_unique<Orthogonal>(*this);
  }

 private:
  float factor_;
  OrthogonalMode mode_;
};

// A user-defined penalty: any function of the tensor built from Occam's ops.
//   auto r = user("smooth", "0.1·Σ(Δw)²", [](const Var& w) { return 0.1f * sum(square(w)); });
class UserRegularizer : public Regularizer {
 public:
  using Fn = std::function<Var(const Var&)>;
  UserRegularizer(std::string name, std::string formula, Fn fn);
  Var penalty(const Var& w) const override;
  std::string kind() const override { return name_; }
  std::string formula() const override { return formula_; }
  std::unique_ptr<Regularizer> clone() const override {
    return std::make_unique<UserRegularizer>(*this);
  }

 private:
  std::string name_, formula_;
  Fn fn_;
};
std::unique_ptr<Regularizer> user(std::string name, std::string formula, UserRegularizer::Fn fn);

// The formula of r applied to a layer's output y and divided by the batch size, for activity
// terms: "0.01·Σy² (keras) / batch size".
std::string activity_formula(const Regularizer& r);

}  // namespace occam::regularize
