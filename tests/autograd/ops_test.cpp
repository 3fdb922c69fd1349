#include "occam/autograd/ops.h"

#include "testing/testing.h"

namespace occam {
namespace {

using testing::check_gradients;
using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

// Fixture cases of the form y = f(x) with upstream d_y: value and gradient of sum(d_y·y).
void expect_unary_matches_torch(const char* name, const std::function<Var(const Var&)>& f,
                                Tol tol) {
  SCOPED_TRACE(name);
  const auto ref = load_fixture(name);
  Var x = leaf(ref("x"));
  Var y = f(x);
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), tol);
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), tol);
}

TEST(Activations, MatchTorch) {
  const Tol tol{1e-5, 1e-4};
  expect_unary_matches_torch(
      "relu", [](const Var& x) { return relu(x); }, tol);
  expect_unary_matches_torch(
      "leaky_relu", [](const Var& x) { return leaky_relu(x, 0.1f); }, tol);
  expect_unary_matches_torch(
      "sigmoid", [](const Var& x) { return sigmoid(x); }, tol);
  expect_unary_matches_torch(
      "tanh", [](const Var& x) { return tanh(x); }, tol);
  expect_unary_matches_torch(
      "gelu", [](const Var& x) { return gelu(x); }, tol);
  expect_unary_matches_torch(
      "flatten", [](const Var& x) { return flatten(x); }, tol);
}

// relu6 = min(max(x, 0), 6). Gradient 1 strictly inside (0, 6) and 0 at both bounds (torch's
// hardtanh backward, TF's Relu6Grad), unlike clamp, which passes it at the bounds.
TEST(Relu6, HandValuesAndNoGradientAtEitherBound) {
  Var x = leaf(Tensor::from({7}, {-1.f, 0.f, 0.5f, 3.f, 5.999f, 6.f, 7.5f}));
  Var y = relu6(x);
  EXPECT_TENSORS_NEAR(y.value(), Tensor::from({7}, {0.f, 0.f, 0.5f, 3.f, 5.999f, 6.f, 6.f}), Tol{});
  backward(y, Tensor::full({7}, 2.f));  // dy = 2: dx = 2 where 0 < x < 6
  EXPECT_TENSORS_NEAR(x.grad(), Tensor::from({7}, {0, 0, 2, 2, 2, 0, 0}), (Tol{0, 0}));
  Var c = leaf(Tensor::from({2}, {0.f, 6.f}));
  backward(sum(clamp(c, 0.f, 6.f)));
  EXPECT_TENSORS_NEAR(c.grad(), Tensor::from({2}, {1, 1}), (Tol{0, 0}));  // clamp differs there
}

TEST(Relu6, GradientsMatchFiniteDifferences) {
  // Every piece, each point more than ε = 1e-2 from the kinks at 0 and 6.
  const Tensor x = Tensor::from({2, 4}, {-1.5f, -0.3f, 0.4f, 2.9f, 5.5f, 5.95f, 6.7f, 9.f});
  const Tensor w = Tensor::from({2, 4}, {0.5f, -1.f, 2.f, 0.3f, -0.7f, 1.1f, 0.9f, -2.f});
  check_gradients([](auto& v) { return sum(square(relu6(v[0])) * v[1]); }, {x, w});
}

TEST(Dense, MatchesTorch) {
  const auto ref = load_fixture("dense");
  Var x = leaf(ref("x")), w = leaf(ref("kernel")), b = leaf(ref("bias"));
  Var y = dense(x, w, b);
  const Tol tol{1e-5, 1e-4};
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), tol);
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), tol);
  EXPECT_TENSORS_NEAR(w.grad(), ref("d_kernel"), tol);
  EXPECT_TENSORS_NEAR(b.grad(), ref("d_bias"), tol);
}

TEST(Dense, ReluWithL2MatchesTorch) {
  // The STYLE.md example: objective = sum(relu(x·W + b)) + 0.01·ΣW².
  const auto ref = load_fixture("dense_relu_l2");
  Var x = leaf(ref("x")), w = leaf(ref("kernel")), b = leaf(ref("bias"));
  Var y = relu(dense(x, w, b));
  Var objective = sum(y) + 0.01f * sum(square(w));
  const Tol tol{1e-5, 1e-4};
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), tol);
  EXPECT_NEAR(objective.item(), ref("objective").item(), 1e-4);
  backward(objective);
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), tol);
  EXPECT_TENSORS_NEAR(w.grad(), ref("d_kernel"), tol);
  EXPECT_TENSORS_NEAR(b.grad(), ref("d_bias"), tol);
}

// The fused op and the two ops it replaces, on the same inputs: the same numbers, bit for bit
// (the ReLU's mask is exact), values and all three gradients.
TEST(Dense, ReluFusedEqualsReluOfDense) {
  Rng rng(5);
  const Tensor x0 = testing::normal({7, 20}, rng), w0 = testing::normal({20, 9}, rng);
  const Tensor b0 = testing::normal({9}, rng), dy = testing::normal({7, 9}, rng);
  Var x1 = leaf(x0.clone()), w1 = leaf(w0.clone()), b1 = leaf(b0.clone());
  Var x2 = leaf(x0.clone()), w2 = leaf(w0.clone()), b2 = leaf(b0.clone());
  Var fused = dense_relu(x1, w1, b1);
  Var plain = relu(dense(x2, w2, b2));
  backward(fused, dy);
  backward(plain, dy);
  const Tol exact{0, 0};
  EXPECT_TENSORS_NEAR(fused.value(), plain.value(), exact);
  EXPECT_TENSORS_NEAR(x1.grad(), x2.grad(), exact);
  EXPECT_TENSORS_NEAR(w1.grad(), w2.grad(), exact);
  EXPECT_TENSORS_NEAR(b1.grad(), b2.grad(), exact);
}

// Ops write a fresh gradient buffer instead of adding to zeros; the second contribution to the
// same input must still add. x·x, a reshape of x next to x itself, and x through dense twice.
TEST(Autograd, FirstContributionIsWrittenLaterOnesAdded) {
  Var x = leaf(Tensor::from({2, 2}, {1, -2, 3, 4}));
  backward(sum(mul(x, x)));
  EXPECT_TENSORS_NEAR(x.grad(), Tensor::from({2, 2}, {2, -4, 6, 8}), (Tol{0, 0}));

  Var v = leaf(Tensor::from({2, 2}, {1, 2, 3, 4}));
  backward(sum(reshape(v, {4})) + sum(square(v)));  // the reshape's buffer is shared, then added to
  EXPECT_TENSORS_NEAR(v.grad(), Tensor::from({2, 2}, {3, 5, 7, 9}), (Tol{0, 0}));

  Var a = leaf(Tensor::from({1, 2}, {1, 2}));
  Var w = constant(Tensor::from({2, 2}, {1, 0, 0, 1}));
  Var h = scale(a, 1.f);
  backward(sum(dense(h, w, Var())) + sum(dense(h, w, Var())));  // two GEMMs into h's gradient
  EXPECT_TENSORS_NEAR(a.grad(), Tensor::from({1, 2}, {2, 2}), (Tol{0, 0}));
}

TEST(Elementwise, HandValuesAndBroadcasting) {
  Var a = constant(Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6}));
  Var b = constant(Tensor::from({3}, {10, 20, 30}));
  Var c = constant(Tensor::from({2, 1}, {100, 200}));
  EXPECT_TENSORS_NEAR((a + b).value(), Tensor::from({2, 3}, {11, 22, 33, 14, 25, 36}), Tol{});
  EXPECT_TENSORS_NEAR((a * c).value(), Tensor::from({2, 3}, {100, 200, 300, 800, 1000, 1200}),
                      Tol{});
  EXPECT_TENSORS_NEAR((b - c).value(), Tensor::from({2, 3}, {-90, -80, -70, -190, -180, -170}),
                      Tol{});
  EXPECT_FLOAT_EQ(sum(a).item(), 21.f);
  EXPECT_FLOAT_EQ(mean(a).item(), 3.5f);
  EXPECT_TENSORS_NEAR(sum(a, {0}).value(), Tensor::from({3}, {5, 7, 9}), Tol{});
  EXPECT_TENSORS_NEAR(sum(a, {1}, true).value(), Tensor::from({2, 1}, {6, 15}), Tol{});
  EXPECT_TENSORS_NEAR(mean(a, {-1}).value(), Tensor::from({2}, {2, 5}), Tol{});
}

TEST(Elementwise, BroadcastGradientsSumOverRepeatedDims) {
  Var a = leaf(Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6}));
  Var b = leaf(Tensor::from({3}, {10, 20, 30}));
  backward(sum(a * b));
  EXPECT_TENSORS_NEAR(b.grad(), Tensor::from({3}, {5, 7, 9}), Tol{});
  EXPECT_TENSORS_NEAR(a.grad(), Tensor::from({2, 3}, {10, 20, 30, 10, 20, 30}), Tol{});
}

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Var w = leaf(Tensor::from({2}, {3, 4}));
  backward(sum(square(w)));
  backward(sum(square(w)));
  EXPECT_TENSORS_NEAR(w.grad(), Tensor::from({2}, {12, 16}), Tol{});
}

TEST(Autograd, SharedSubexpressionGetsBothContributions) {
  Var x = leaf(Tensor::scalar(3.f));
  Var y = x * x;      // 9
  Var z = y * y + y;  // x^4 + x^2 → dz/dx = 4x³ + 2x = 114
  backward(z);
  EXPECT_FLOAT_EQ(x.grad().item(), 114.f);
}

TEST(Autograd, InferenceModeRecordsNothing) {
  Var w = leaf(Tensor::from({2}, {1, 2}));
  Var y;
  {
    InferenceMode guard;
    y = sum(square(w));
    EXPECT_FALSE(grad_enabled());
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_FALSE(y.requires_grad());
  EXPECT_FLOAT_EQ(y.item(), 5.f);
  backward(y);
  EXPECT_FALSE(w.grad().defined());
}

TEST(Autograd, FiniteDifferencesAgreeForEveryElementwiseOp) {
  Rng rng(11);
  // Inputs kept away from kinks (relu, abs at 0) and from the domain edges (log, sqrt at 0).
  Tensor pos = testing::uniform({3, 4}, rng, 0.5f, 2.f);
  Tensor any = testing::uniform({3, 4}, rng, -2.f, 2.f);
  for (float& v : any.span()) v = v < 0 ? v - 0.1f : v + 0.1f;
  Tensor row = testing::uniform({4}, rng, 0.5f, 1.5f);
  using Fn = std::function<Var(const std::vector<Var>&)>;
  const std::vector<std::pair<const char*, Fn>> cases = {
      {"add", [](auto& v) { return sum(square(v[0] + v[1])); }},
      {"sub", [](auto& v) { return sum(square(v[0] - v[1])); }},
      {"mul", [](auto& v) { return sum(v[0] * v[1]); }},
      {"div", [](auto& v) { return sum(v[0] / v[1]); }},
      {"max", [](auto& v) { return sum(maximum(v[0], v[1])); }},
      {"min", [](auto& v) { return sum(minimum(v[0], v[1])); }},
      {"neg", [](auto& v) { return sum(square(-v[0]) * v[1]); }},
      {"abs", [](auto& v) { return sum(abs(v[0]) * v[1]); }},
      {"sqrt", [](auto& v) { return sum(sqrt(v[1])); }},
      {"rsqrt", [](auto& v) { return sum(rsqrt(v[1])); }},
      {"exp", [](auto& v) { return sum(exp(v[0])); }},
      {"log", [](auto& v) { return sum(log(v[1])); }},
      {"relu", [](auto& v) { return sum(relu(v[0]) * v[1]); }},
      {"leaky", [](auto& v) { return sum(leaky_relu(v[0], 0.2f) * v[1]); }},
      {"sigmoid", [](auto& v) { return sum(sigmoid(v[0]) * v[1]); }},
      {"tanh", [](auto& v) { return sum(tanh(v[0]) * v[1]); }},
      {"gelu", [](auto& v) { return sum(gelu(v[0]) * v[1]); }},
      {"scale+add", [](auto& v) { return sum(square(3.f * v[0] + 1.f)); }},
      {"clamp", [](auto& v) { return sum(clamp(v[0], -1.f, 1.f) * v[1]); }},
      {"mean_axes", [](auto& v) { return sum(square(mean(v[0] * v[1], {0}))); }},
      {"sum_axes", [](auto& v) { return sum(square(sum(v[0], {1}, true) * v[1])); }},
      {"matmul", [](auto& v) { return sum(square(matmul(v[0], transpose(v[1])))); }},
      {"reshape",
       [](auto& v) {
         return sum(square(reshape(v[0], {2, -1})) * reshape(v[1], {2, 6}));
       }},
  };
  for (const auto& [name, fn] : cases) {
    SCOPED_TRACE(name);
    check_gradients(fn, {any, pos});
  }
  check_gradients([](auto& v) { return sum(square(v[0] * v[1])); }, {any, row});  // broadcast
  check_gradients([](auto& v) { return sum(square(dense(v[0], v[1], v[2]))); },
                  {any, testing::normal({4, 2}, rng), testing::normal({2}, rng)});
}

TEST(Autograd, BadShapesThrowNamingTheOpAndShapes) {
  Var a = constant(Tensor::zeros({32, 784}));
  Var b = constant(Tensor::zeros({780, 10}));
  EXPECT_THAT(error_of([&] { matmul(a, b); }),
              HasSubstr("matmul: expected a [M,K] and b [K,N], got a [32,784] and b [780,10]"));
  EXPECT_THAT(error_of([&] { add(a, b); }),
              HasSubstr("add: shapes [32,784] and [780,10] do not broadcast"));
  EXPECT_THAT(error_of([&] { dense(a, b, Var()); }), HasSubstr("dense: expected x [N,in]"));
  EXPECT_THAT(error_of([&] {
                transpose(constant(Tensor::zeros({2, 2, 2})));
              }),
              HasSubstr("transpose"));
  EXPECT_THAT(error_of([&] { sum(a, {2}); }),
              HasSubstr("sum: axis 2 out of range for shape [32,784]"));
  EXPECT_THAT(error_of([&] { backward(a + a); }),
              HasSubstr("backward: expected a one-element root"));
  EXPECT_THAT(error_of([&] { reshape(a, {-1, -1}); }), HasSubstr("more than one -1"));
}

}  // namespace
}  // namespace occam
