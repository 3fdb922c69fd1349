#include "occam/regularize/regularizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "occam/tensor/parallel.h"

namespace occam::regularize {

namespace {
std::string coefficient(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(v));
  return buf;
}
void check_coefficient(const char* what, float v) {
  OCCAM_CHECK(std::isfinite(v) && v >= 0.f, what, ": expected a finite coefficient >= 0, got ", v);
}
}  // namespace

// ---- L1, L2, L1L2 ----

L1L2::L1L2(float l1, float l2, Convention convention) : l1_(l1), l2_(l2), convention_(convention) {
  check_coefficient("l1", l1);
  check_coefficient("l2", l2);
}

std::string L1L2::kind() const {
  if (l1_ != 0.f && l2_ != 0.f) return "l1_l2";
  return l1_ != 0.f ? "l1" : "l2";
}

std::string L1L2::formula() const {
  std::string f;
  if (l1_ != 0.f) f = coefficient(l1_) + "·Σ|w|";
  if (l2_ != 0.f) {
    if (!f.empty()) f += " + ";
    f += coefficient(l2_) + (l2_factor(convention_) == 1.f ? "·Σw²" : "·Σw²/2");
  }
  if (f.empty())
    f.assign(1, '0');  // (assigning a literal trips a GCC 12 -Wrestrict false positive)
  return f + " (" + std::string(to_string(convention_)) + ")";
}

// keras: λ1·Σ|w| + λ2·Σw²     tf_slim, tf_od_keras, torch: λ1·Σ|w| + λ2·Σw²/2
Var L1L2::penalty(const Var& w) const {
  Var total;
  if (l1_ != 0.f) total = scale(sum(abs(w)), l1_);
  if (l2_ != 0.f) {
    Var t = scale(sum(square(w)), l2_factor(convention_) * l2_);
    total = total.defined() ? add(total, t) : t;
  }
  return total.defined() ? total : constant(Tensor::scalar(0.f));
}

std::unique_ptr<Regularizer> l1(float lambda) { return std::make_unique<L1L2>(lambda, 0.f); }
std::unique_ptr<Regularizer> l2(float lambda, Convention c) {
  return std::make_unique<L1L2>(0.f, lambda, c);
}
std::unique_ptr<Regularizer> l1_l2(float a, float b, Convention c) {
  return std::make_unique<L1L2>(a, b, c);
}

// ---- Orthogonal ----

Orthogonal::Orthogonal(float factor, OrthogonalMode mode) : factor_(factor), mode_(mode) {
  check_coefficient("orthogonal", factor);
}

std::string Orthogonal::formula() const {
  return coefficient(factor_) + "·mean_{i<j}|cos(" +
         (mode_ == OrthogonalMode::rows ? "row_i, row_j" : "col_i, col_j") + ")| (keras)";
}

// u = w·min(rsqrt(Σw²), 1e7) per vector;  P = U·Uᵀ;  value = factor·0.5·Σ_{i≠j}|P_ij| / (k(k−1)/2)
Var Orthogonal::penalty(const Var& w) const {
  OCCAM_CHECK(w.rank() == 2, "orthogonal: expected a rank-2 tensor, got ", w.shape(),
              " (Keras rejects conv kernels too)");
  const bool rows = mode_ == OrthogonalMode::rows;
  const int64_t k = rows ? w.dim(0) : w.dim(1);
  if (k < 2) return constant(Tensor::scalar(0.f));  // no pair: defined as 0 (Keras divides by 0)
  Var inv_norm = clamp(rsqrt(sum(square(w), {rows ? 1 : 0}, true)), 0.f, 1e7f);
  Var u = mul(w, inv_norm);
  Var p = rows ? matmul(u, transpose(u)) : matmul(transpose(u), u);
  Tensor off_diagonal = Tensor::ones({k, k});
  for (int64_t i = 0; i < k; ++i) off_diagonal[i * k + i] = 0.f;
  Var off = sum(abs(mul(p, constant(off_diagonal))));
  return scale(off, factor_ * 0.5f / (float(k) * float(k - 1) / 2.f));
}

// ---- user-defined ----

UserRegularizer::UserRegularizer(std::string name, std::string formula, Fn fn)
    : name_(std::move(name)), formula_(std::move(formula)), fn_(std::move(fn)) {
  OCCAM_CHECK(!name_.empty() && name_.find('/') == std::string::npos,
              "user regularizer: expected a name without '/', got '", name_, "'");
  OCCAM_CHECK(fn_ != nullptr, "user regularizer ", name_, ": no function given");
}

Var UserRegularizer::penalty(const Var& w) const {
  Var v = fn_(w);
  OCCAM_CHECK(v.defined() && v.numel() == 1, "user regularizer ", name_,
              ": expected a scalar penalty, got shape ", v.defined() ? v.shape() : Shape{});
  return v.rank() == 0 ? v : reshape(v, {});
}

std::unique_ptr<Regularizer> user(std::string name, std::string formula, UserRegularizer::Fn fn) {
  return std::make_unique<UserRegularizer>(std::move(name), std::move(formula), std::move(fn));
}

std::string activity_formula(const Regularizer& r) {
  std::string f = r.formula();
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"Σw²", "Σy²"}, {"Σ|w|", "Σ|y|"}})
    for (size_t at = f.find(from); at != std::string::npos; at = f.find(from, at + to.size()))
      f.replace(at, from.size(), to);
  return f + " / batch size";
}

}  // namespace occam::regularize
