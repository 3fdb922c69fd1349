// Helpers shared by the optimizer tests: a named parameter with a gradient, and the runner for
// the optimizers.json cases (torch 1.13, float64).
#pragma once

#include <functional>
#include <memory>
#include <set>

#include "occam/optim/optimizer.h"
#include "testing/testing.h"

namespace occam::optim::testing {

using occam::testing::load_fixture;
using occam::testing::Tol;

inline nn::Parameter make_parameter(std::string name, Tensor init) {
  return nn::Parameter(std::move(name), std::move(init), regularize::Layout::dense_kernel);
}

// Row k of t [K, ...] as a tensor of shape [...] (a copy).
inline Tensor row(const Tensor& t, int64_t k) {
  Shape shape(t.shape().begin() + 1, t.shape().end());
  const int64_t n = numel_of(shape);
  return Tensor::from(shape, std::vector<float>(t.data() + k * n, t.data() + (k + 1) * n));
}

using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(std::vector<nn::Parameter*>)>;

// The case's param [2,3] is updated 5 times with grads[k] at step k+1 and the case's lr; the
// parameter must match param_after_step[k] after every step, and state() after step 5 must hold
// exactly torch's state entries ("state/<s>" as "param/<s>") with torch's values.
// Tolerance: a float32 update against float64, compounded over 5 steps: abs 1e-6, rel 1e-5.
inline void expect_matches_torch(const std::string& case_name, const MakeOptimizer& make) {
  SCOPED_TRACE(case_name);
  const auto ref = load_fixture(case_name);
  const float lr = float(ref.param("lr"));
  nn::Parameter p = make_parameter("param", ref("param"));
  std::unique_ptr<Optimizer> optimizer = make({&p});
  const Tensor grads = ref("grads"), after = ref("param_after_step");
  const Tol tol{1e-6, 1e-5};
  for (int64_t k = 0; k < 5; ++k) {
    SCOPED_TRACE("step " + std::to_string(k + 1));
    p.grad().copy_from(row(grads, k));
    optimizer->step(lr);
    EXPECT_TENSORS_NEAR(p.data(), row(after, k), tol);
  }
  std::set<std::string> want, got;
  for (const auto& [name, tensor] : ref.json.at("outputs").items())
    if (name.starts_with("state/")) want.insert("param/" + name.substr(6));
  for (const NamedTensor& s : optimizer->state()) {
    got.insert(s.name);
    const std::string torch_name = "state/" + s.name.substr(6);
    if (ref.has(torch_name)) EXPECT_TENSORS_NEAR(s.value, ref(torch_name), tol) << s.name;
  }
  EXPECT_EQ(got, want);
}

}  // namespace occam::optim::testing
