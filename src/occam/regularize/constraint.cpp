#include "occam/regularize/constraint.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace occam::regularize {

namespace {

constexpr double kEpsilon = 1e-7;  // keras.backend.epsilon()

// Calls f(unit, element index) for every element, grouped by unit.
struct Units {
  int64_t count, size;  // number of units, elements per unit
  bool strided;         // dense kernel: unit j = column j (stride = count)
  int64_t index(int64_t unit, int64_t k) const {
    return strided ? k * count + unit : unit * size + k;
  }
};

Units units_of(const Tensor& w, Layout layout) {
  switch (layout) {
    case Layout::dense_kernel:
      OCCAM_CHECK(w.rank() == 2, "constraint: expected a dense kernel [in,out], got ", w.shape());
      return {w.dim(1), w.dim(0), true};
    case Layout::conv_kernel:
      OCCAM_CHECK(w.rank() == 4, "constraint: expected a conv kernel [O,I,H,W], got ", w.shape());
      return {w.dim(0), w.numel() / std::max<int64_t>(1, w.dim(0)), false};
    case Layout::vector:
      return {1, w.numel(), false};
  }
  return {1, w.numel(), false};
}

std::string number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(v));
  return buf;
}

// w ← w·d(n)/(ε + n) per unit, where d maps a unit's norm to its target norm.
template <class Target>
float rescale_units(Tensor& w, Layout layout, Target target, double tolerance) {
  const Units u = units_of(w, layout);
  int64_t changed = 0;
  float* p = w.data();
  for (int64_t j = 0; j < u.count; ++j) {
    double ss = 0;
    for (int64_t k = 0; k < u.size; ++k) ss += double(p[u.index(j, k)]) * p[u.index(j, k)];
    const double n = std::sqrt(ss), d = target(n);
    if (std::fabs(d - n) > tolerance) ++changed;
    const float factor = float(d / (kEpsilon + n));
    for (int64_t k = 0; k < u.size; ++k) p[u.index(j, k)] *= factor;
  }
  return u.count ? float(changed) / float(u.count) : 0.f;
}

class MaxNorm final : public Constraint {
 public:
  explicit MaxNorm(float max_value) : max_(max_value) {
    OCCAM_CHECK(max_value >= 0.f && std::isfinite(max_value),
                "max_norm: expected max_value >= 0, got ", max_value);
  }
  // w · clip(n, 0, max)/(ε + n)
  float project(Tensor& w, Layout layout) const override {
    const double hi = max_;
    return rescale_units(
        w, layout, [hi](double n) { return n > hi ? hi : n; }, 0.0);
  }
  std::string kind() const override { return "max_norm"; }
  std::string describe() const override { return "max_norm(max_value=" + number(max_) + ")"; }
  std::unique_ptr<Constraint> clone() const override { return std::make_unique<MaxNorm>(*this); }

 private:
  float max_;
};

class MinMaxNorm final : public Constraint {
 public:
  MinMaxNorm(float lo, float hi, float rate) : lo_(lo), hi_(hi), rate_(rate) {
    OCCAM_CHECK(lo >= 0.f && lo <= hi, "min_max_norm: expected 0 <= min_value <= max_value, got ",
                lo, " and ", hi);
    OCCAM_CHECK(rate >= 0.f && rate <= 1.f, "min_max_norm: expected rate in [0, 1], got ", rate);
  }
  // w · (rate·clip(n, min, max) + (1 − rate)·n)/(ε + n)
  float project(Tensor& w, Layout layout) const override {
    const double lo = lo_, hi = hi_, rate = rate_;
    return rescale_units(
        w, layout,
        [=](double n) { return rate * (n < lo ? lo : (n > hi ? hi : n)) + (1 - rate) * n; }, 0.0);
  }
  std::string kind() const override { return "min_max_norm"; }
  std::string describe() const override {
    return "min_max_norm(min_value=" + number(lo_) + ", max_value=" + number(hi_) +
           ", rate=" + number(rate_) + ")";
  }
  std::unique_ptr<Constraint> clone() const override { return std::make_unique<MinMaxNorm>(*this); }

 private:
  float lo_, hi_, rate_;
};

class UnitNorm final : public Constraint {
 public:
  // w / (ε + n)
  float project(Tensor& w, Layout layout) const override {
    return rescale_units(
        w, layout, [](double) { return 1.0; }, 1e-6);
  }
  std::string kind() const override { return "unit_norm"; }
  std::string describe() const override { return "unit_norm()"; }
  std::unique_ptr<Constraint> clone() const override { return std::make_unique<UnitNorm>(*this); }
};

class NonNeg final : public Constraint {
 public:
  // max(w, 0), elementwise
  float project(Tensor& w, Layout) const override {
    int64_t changed = 0;
    for (float& v : w.span())
      if (v < 0.f) {
        v = 0.f;
        ++changed;
      }
    return w.numel() ? float(changed) / float(w.numel()) : 0.f;
  }
  std::string kind() const override { return "non_neg"; }
  std::string describe() const override { return "non_neg()"; }
  std::unique_ptr<Constraint> clone() const override { return std::make_unique<NonNeg>(*this); }
};

}  // namespace

std::unique_ptr<Constraint> max_norm(float max_value) {
  return std::make_unique<MaxNorm>(max_value);
}
std::unique_ptr<Constraint> min_max_norm(float lo, float hi, float rate) {
  return std::make_unique<MinMaxNorm>(lo, hi, rate);
}
std::unique_ptr<Constraint> unit_norm() { return std::make_unique<UnitNorm>(); }
std::unique_ptr<Constraint> non_neg() { return std::make_unique<NonNeg>(); }

std::vector<float> unit_norms(const Tensor& w, Layout layout) {
  const Units u = units_of(w, layout);
  std::vector<float> norms(u.count);
  const float* p = w.data();
  for (int64_t j = 0; j < u.count; ++j) {
    double ss = 0;
    for (int64_t k = 0; k < u.size; ++k) ss += double(p[u.index(j, k)]) * p[u.index(j, k)];
    norms[j] = float(std::sqrt(ss));
  }
  return norms;
}

}  // namespace occam::regularize
