#include "testing.h"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace occam::testing {

using nlohmann::json;

namespace {
const json& load_file(const std::string& file) {
  static std::map<std::string, json> cache;
  auto it = cache.find(file);
  if (it != cache.end()) return it->second;
  std::ifstream in(std::string(OCCAM_FIXTURES_DIR) + "/" + file);
  if (!in) throw std::runtime_error("cannot open fixture file " + file);
  return cache[file] = json::parse(in);
}
}  // namespace

Tensor tensor_from_json(const json& t) {
  Shape shape = t.at("shape").get<Shape>();
  std::vector<float> data;
  for (const auto& v : t.at("data")) data.push_back(static_cast<float>(v.get<double>()));
  return Tensor::from(std::move(shape), std::move(data));
}

Fixture load_fixture(const std::string& case_name) {
  const json& index = load_file("index.json");
  const json& entry =
      index.contains("cases") ? index.at("cases").at(case_name) : index.at(case_name);
  const std::string file = entry.at("file").get<std::string>();
  return Fixture{case_name, load_file(file).at("cases").at(case_name)};
}

std::vector<std::string> fixture_cases(const std::string& file) {
  std::vector<std::string> names;
  for (const auto& [k, v] : load_file(file).at("cases").items()) names.push_back(k);
  return names;
}

Tensor Fixture::input(const std::string& n) const {
  return tensor_from_json(json.at("inputs").at(n));
}
Tensor Fixture::output(const std::string& n) const {
  return tensor_from_json(json.at("outputs").at(n));
}
bool Fixture::has(const std::string& n) const {
  return json.at("inputs").contains(n) ||
         (json.contains("outputs") && json.at("outputs").contains(n));
}
Tensor Fixture::operator()(const std::string& n) const {
  if (json.at("inputs").contains(n)) return input(n);
  if (json.contains("outputs") && json.at("outputs").contains(n)) return output(n);
  throw std::runtime_error("fixture " + name + " has no tensor " + n);
}
std::vector<int64_t> Fixture::labels(const std::string& n) const {
  const auto& t =
      json.at("inputs").contains(n) ? json.at("inputs").at(n) : json.at("outputs").at(n);
  std::vector<int64_t> out;
  for (const auto& v : t.at("data")) out.push_back(static_cast<int64_t>(v.get<double>()));
  return out;
}

namespace {
std::string index_string(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % std::max<int64_t>(1, shape[d]);
    flat /= std::max<int64_t>(1, shape[d]);
  }
  std::ostringstream os;
  os << idx;
  return os.str();
}
}  // namespace

::testing::AssertionResult tensors_near(const char* got_expr, const char* want_expr, const char*,
                                        const Tensor& got, const Tensor& want, Tol tol) {
  if (got.shape() != want.shape()) {
    std::ostringstream os;
    os << got_expr << " has shape " << got.shape() << ", " << want_expr << " has shape "
       << want.shape();
    return ::testing::AssertionFailure() << os.str();
  }
  int64_t bad = 0, first = -1, worst = -1;
  double worst_diff = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double g = got[i], w = want[i], diff = std::fabs(g - w);
    const bool ok = diff <= tol.abs + tol.rel * std::fabs(w);
    if (!ok || std::isnan(g)) {
      ++bad;
      if (first < 0) first = i;
    }
    if (diff > worst_diff || std::isnan(diff)) {
      worst_diff = diff;
      worst = i;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(7);
  os << got_expr << " differs from " << want_expr << " at " << bad << " of " << got.numel()
     << " elements (abs " << tol.abs << ", rel " << tol.rel << ")\n  first at "
     << index_string(got.shape(), first) << ": got " << got[first] << " want " << want[first]
     << " (diff " << std::fabs(got[first] - want[first]) << "); max diff " << worst_diff << " at "
     << index_string(got.shape(), worst);
  return ::testing::AssertionFailure() << os.str();
}

Tensor normal(Shape shape, Rng& rng, float stddev) {
  Tensor t = Tensor::empty(std::move(shape));
  for (float& v : t.span()) v = stddev * rng.normal();
  return t;
}

Tensor uniform(Shape shape, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(std::move(shape));
  for (float& v : t.span()) v = rng.uniform(lo, hi);
  return t;
}

void check_gradients(const std::function<Var(const std::vector<Var>&)>& f,
                     const std::vector<Tensor>& inputs, GradCheck opts) {
  std::vector<Var> vars;
  for (const Tensor& t : inputs) vars.push_back(leaf(t.clone()));
  Var y = f(vars);
  ASSERT_EQ(y.numel(), 1) << "check_gradients: f must return a scalar, got "
                          << shape_str(y.shape());
  backward(y);
  for (size_t k = 0; k < vars.size(); ++k) {
    Tensor analytic = vars[k].grad().defined() ? vars[k].grad() : Tensor::zeros(inputs[k].shape());
    Tensor numeric = Tensor::zeros(inputs[k].shape());
    for (int64_t i = 0; i < inputs[k].numel(); ++i) {
      auto eval = [&](float delta) {
        std::vector<Var> probe;
        for (size_t j = 0; j < inputs.size(); ++j) {
          Tensor t = inputs[j].clone();
          if (j == k) t[i] += delta;
          probe.push_back(constant(t));
        }
        InferenceMode no_tape;
        return double(f(probe).item());
      };
      numeric[i] = float((eval(float(opts.eps)) - eval(float(-opts.eps))) / (2 * opts.eps));
    }
    double scale = 1;
    for (float v : analytic.span()) scale = std::max(scale, double(std::fabs(v)));
    EXPECT_TENSORS_NEAR(analytic, numeric, (Tol{opts.rel * scale, 0.0}))
        << "\n  (gradient of input " << k << ", shape " << shape_str(inputs[k].shape()) << ")";
  }
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace occam::testing
