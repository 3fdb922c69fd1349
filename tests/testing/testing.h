// Shared test helpers: the PyTorch fixture loader (../shared/fixtures, vendored in
// tests/fixtures), tensor comparison with a failure message that explains itself, the one
// central finite-difference gradient checker, and error_of().
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "occam/autograd/ops.h"
#include "occam/tensor/rng.h"

namespace occam::testing {

// One case of ../shared/fixtures (format in its README). t("x") finds x among the inputs,
// then the outputs; a '/' in the name is part of the name ("after_step_1/terms/data_loss").
struct Fixture {
  std::string name;
  nlohmann::json json;
  Tensor operator()(const std::string& tensor_name) const;
  Tensor input(const std::string& tensor_name) const;
  Tensor output(const std::string& tensor_name) const;
  bool has(const std::string& tensor_name) const;
  std::vector<int64_t> labels(const std::string& tensor_name) const;  // int64 tensors
  const nlohmann::json& params() const { return json.at("params"); }
  double param(const std::string& key) const { return json.at("params").at(key).get<double>(); }
};
Fixture load_fixture(const std::string& case_name);
// Every case name of a fixture file ("layers.json"), for coverage checks.
std::vector<std::string> fixture_cases(const std::string& file);
Tensor tensor_from_json(const nlohmann::json& t);

struct Tol {
  double abs = 1e-5;
  double rel = 1e-4;
};
// |got − want| <= abs + rel·|want| everywhere, and the shapes agree.
::testing::AssertionResult tensors_near(const char* got_expr, const char* want_expr,
                                        const char* tol_expr, const Tensor& got, const Tensor& want,
                                        Tol tol);
#define EXPECT_TENSORS_NEAR(got, want, tol) \
  EXPECT_PRED_FORMAT3(::occam::testing::tensors_near, got, want, tol)
#define ASSERT_TENSORS_NEAR(got, want, tol) \
  ASSERT_PRED_FORMAT3(::occam::testing::tensors_near, got, want, tol)

Tensor normal(Shape shape, Rng& rng, float stddev = 1.f);
Tensor uniform(Shape shape, Rng& rng, float lo, float hi);

// Central finite differences of f (a scalar) with respect to every input, against the
// gradients the tape gives. Evaluated in float32, so ε is large (1e-2 by default) and the
// tolerance is relative to the largest gradient of each input. Inputs must be away from kinks.
struct GradCheck {
  double eps = 1e-2;
  double rel = 2e-3;  // × max(1, max|grad|) of that input
};
void check_gradients(const std::function<Var(const std::vector<Var>&)>& f,
                     const std::vector<Tensor>& inputs, GradCheck opts = {});

// The message of the occam::Error thrown by fn, or "" if it did not throw.
std::string error_of(const std::function<void()>& fn);

}  // namespace occam::testing
