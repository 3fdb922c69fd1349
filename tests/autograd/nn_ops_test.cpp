// Neural-network ops against the PyTorch fixtures (tests/fixtures/layers.json), finite
// differences, and their errors.
#include "occam/autograd/nn_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "occam/autograd/ops.h"
#include "testing/testing.h"

namespace occam {
namespace {

using testing::check_gradients;
using testing::error_of;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

// One op against float64 torch: float32 agrees to about abs 1e-5, rel 1e-4 (STYLE.md §2.8).
const Tol kTorchTol{1e-5, 1e-4};

Size2 size2_param(const Fixture& ref, const char* key) {
  const auto v = ref.params().at(key).get<std::vector<int64_t>>();
  return {v[0], v[1]};
}

// sum(r ⊙ y) with fixed weights r: a scalar whose gradient reaches every element of y
// (plain sum(y) has zero gradient through softmax and batch norm).
Var weighted_sum(const Var& y, uint64_t seed = 99) {
  Rng rng(seed);
  return sum(y * constant(testing::uniform(y.shape(), rng, -1.f, 1.f)));
}

// A tensor of distinct values, at least 0.1 apart, in shuffled order: max pooling has no ties
// and no finite-difference step (1e-2) can change a window's winner.
Tensor distinct(Shape shape, Rng& rng) {
  Tensor t = Tensor::empty(std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = 0.1f * float(i - t.numel() / 2);
  for (int64_t i = t.numel() - 1; i > 0; --i)
    std::swap(t[i], t[static_cast<int64_t>(rng.below(static_cast<uint64_t>(i + 1)))]);
  return t;
}

// ---- convolution ----

TEST(Conv2d, MatchesTorchForEveryStrideAndPadding) {
  for (const char* name : {"conv2d_s1_p0", "conv2d_s1_p1", "conv2d_s2_p0", "conv2d_s2_p1"}) {
    SCOPED_TRACE(name);
    const auto ref = load_fixture(name);
    const Size2 stride = size2_param(ref, "stride"), pad = size2_param(ref, "padding");
    Var x = leaf(ref("x")), w = leaf(ref("kernel")), b = leaf(ref("bias"));
    Var y = conv2d(x, w, b, stride, Padding2d::symmetric(pad[0], pad[1]));
    EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
    backward(y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
    EXPECT_TENSORS_NEAR(w.grad(), ref("d_kernel"), kTorchTol);
    EXPECT_TENSORS_NEAR(b.grad(), ref("d_bias"), kTorchTol);
  }
}

TEST(Conv2d, GradientsMatchFiniteDifferences) {
  Rng rng(5);
  const Tensor x = testing::normal({2, 2, 5, 6}, rng), w = testing::normal({3, 2, 3, 3}, rng);
  const Tensor b = testing::normal({3}, rng);
  const std::vector<std::pair<Size2, Padding2d>> configs = {
      {{1, 1}, {0, 0, 0, 0}},
      {{2, 2}, {1, 1, 1, 1}},
      {{2, 1}, {0, 1, 2, 0}},  // asymmetric
      {{2, 2}, same_padding({5, 6}, {3, 3}, {2, 2})},
  };
  for (const auto& [stride, padding] : configs) {
    SCOPED_TRACE(detail::concat("stride ", stride[0], "x", stride[1], " padding ", padding));
    check_gradients(
        [&](auto& v) { return weighted_sum(conv2d(v[0], v[1], v[2], stride, padding)); },
        {x, w, b});
  }
  // Without a bias.
  check_gradients([](auto& v) { return weighted_sum(conv2d(v[0], v[1], Var())); }, {x, w});
}

// The fused op against relu(conv2d(...)): oneDNN applies the ReLU to the same sums, so the
// values agree to the last bit and the gradients (the same backward on the same masked dy) too.
TEST(Conv2d, ReluFusedEqualsReluOfConv) {
  Rng rng(9);
  const Tensor x0 = testing::normal({2, 3, 9, 9}, rng), w0 = testing::normal({4, 3, 3, 3}, rng);
  const Tensor b0 = testing::normal({4}, rng), dy = testing::normal({2, 4, 7, 7}, rng);
  Var x1 = leaf(x0.clone()), w1 = leaf(w0.clone()), b1 = leaf(b0.clone());
  Var x2 = leaf(x0.clone()), w2 = leaf(w0.clone()), b2 = leaf(b0.clone());
  Var fused = conv2d_relu(x1, w1, b1);
  Var plain = relu(conv2d(x2, w2, b2));
  backward(fused, dy);
  backward(plain, dy);
  const Tol tol{1e-6, 1e-6};
  EXPECT_TENSORS_NEAR(fused.value(), plain.value(), tol);
  EXPECT_TENSORS_NEAR(x1.grad(), x2.grad(), tol);
  EXPECT_TENSORS_NEAR(w1.grad(), w2.grad(), tol);
  EXPECT_TENSORS_NEAR(b1.grad(), b2.grad(), tol);
}

// conv2d_relu read only by a 2x2 max pool: the pool's backward applies the ReLU mask and the
// conv's backward skips its own ReLU pass. The gradients must be those of relu(conv2d) → pool,
// whose ReLU is a separate op; with a second reader of the ReLU output the fusion must not
// happen (that reader's gradient is not masked), and the gradients must still agree.
// With 4 output channels the convolution's output goes to the pool in plain NCHW; with 32 it is
// in oneDNN's nChw16c layout, and the pool reads it and writes the gradient in that layout.
TEST(MaxPool2d, AppliesTheReluMaskForItsOnlyReaderWithTheSameGradients) {
  for (int64_t O : {4, 32}) {
    Rng rng(4);
    const Tensor x0 = testing::normal({2, 3, 10, 10}, rng), w0 = testing::normal({O, 3, 3, 3}, rng);
    const Tensor b0 = testing::normal({O}, rng), dy = testing::normal({2, O, 4, 4}, rng);
    const Tensor extra = testing::normal({2, O, 8, 8}, rng);
    for (bool second_reader : {false, true}) {
      SCOPED_TRACE(::testing::Message()
                   << O << " channels, " << (second_reader ? "two readers" : "the pool alone"));
      Var x1 = leaf(x0.clone()), w1 = leaf(w0.clone()), b1 = leaf(b0.clone());
      Var x2 = leaf(x0.clone()), w2 = leaf(w0.clone()), b2 = leaf(b0.clone());
      auto loss = [&](const Var& h) {
        Var l = sum(mul(max_pool2d(h, {2, 2}, {2, 2}), constant(dy)));
        return second_reader ? add(l, sum(mul(h, constant(extra)))) : l;
      };
      Var h1 = conv2d_relu(x1, w1, b1);
      Var h2 = relu(conv2d(x2, w2, b2));
      const int64_t zeros = std::count(h1.value().data(), h1.value().data() + h1.numel(), 0.f);
      ASSERT_GT(zeros, h1.numel() / 4) << "the ReLU must zero a good part of the map";
      backward(loss(h1));
      backward(loss(h2));
      EXPECT_EQ(h1.node()->grad_relu_masked, !second_reader);
      const Tol tol{1e-6, 1e-6};
      EXPECT_TENSORS_NEAR(x1.grad(), x2.grad(), tol);
      EXPECT_TENSORS_NEAR(w1.grad(), w2.grad(), tol);
      EXPECT_TENSORS_NEAR(b1.grad(), b2.grad(), tol);
    }
  }
}

// Two convolutions in a row, with channels in blocks of 16 so that oneDNN picks its blocked
// layout: the second reads the first's output in that layout (no reorder), and hands its input
// gradient back in it when it is the only reader. Values and gradients must be those of the
// same graph with a separate ReLU op between them (which breaks the hand-over).
TEST(Conv2d, ConsecutiveConvolutionsHandOverOneDnnsLayoutWithTheSameNumbers) {
  Rng rng(12);
  const Tensor x0 = testing::normal({2, 16, 9, 9}, rng), w10 = testing::normal({16, 16, 3, 3}, rng);
  const Tensor b10 = testing::normal({16}, rng), w20 = testing::normal({32, 16, 3, 3}, rng);
  const Tensor b20 = testing::normal({32}, rng), dy = testing::normal({2, 32, 5, 5}, rng);
  for (bool second_reader : {false, true}) {
    SCOPED_TRACE(second_reader ? "two readers" : "the second convolution alone");
    Var x1 = leaf(x0.clone()), w11 = leaf(w10.clone()), b11 = leaf(b10.clone());
    Var w21 = leaf(w20.clone()), b21 = leaf(b20.clone());
    Var x2 = leaf(x0.clone()), w12 = leaf(w10.clone()), b12 = leaf(b10.clone());
    Var w22 = leaf(w20.clone()), b22 = leaf(b20.clone());
    Var h1 = conv2d_relu(x1, w11, b11);
    ASSERT_TRUE(h1.node()->value_copy.defined()) << "oneDNN chose the plain layout here";
    Var y1 = conv2d_relu(h1, w21, b21);
    Var h2 = relu(conv2d(x2, w12, b12));
    Var y2 = conv2d_relu(h2, w22, b22);
    EXPECT_EQ(std::memcmp(y1.value().data(), y2.value().data(), size_t(y1.numel()) * 4), 0);
    Var l1 = sum(mul(y1, constant(dy))), l2 = sum(mul(y2, constant(dy)));
    if (second_reader) {
      l1 = add(l1, sum(h1));
      l2 = add(l2, sum(h2));
    }
    backward(l1);
    backward(l2);
    const Tol tol{1e-5, 1e-5};
    EXPECT_TENSORS_NEAR(x1.grad(), x2.grad(), tol);
    EXPECT_TENSORS_NEAR(w11.grad(), w12.grad(), tol);
    EXPECT_TENSORS_NEAR(b11.grad(), b12.grad(), tol);
    EXPECT_TENSORS_NEAR(w21.grad(), w22.grad(), tol);
  }
}

// ---- grouped and depthwise convolution ----

TEST(Conv2d, GroupedGradientsMatchFiniteDifferences) {
  Rng rng(15);
  struct Case {
    int64_t C, O, groups;
  };
  // depthwise (multiplier 1 and 2), and groups of 2 input channels
  for (const Case c : {Case{3, 3, 3}, Case{2, 4, 2}, Case{4, 6, 2}}) {
    const Tensor x = testing::normal({2, c.C, 5, 6}, rng);
    const Tensor w = testing::normal({c.O, c.C / c.groups, 3, 3}, rng);
    const Tensor b = testing::normal({c.O}, rng);
    for (const auto& [stride, padding] : std::vector<std::pair<Size2, Padding2d>>{
             {{1, 1}, {1, 1, 1, 1}}, {{2, 2}, same_padding({5, 6}, {3, 3}, {2, 2})}}) {
      SCOPED_TRACE(detail::concat("C ", c.C, " O ", c.O, " groups ", c.groups, " stride ",
                                  stride[0], " padding ", padding));
      check_gradients(
          [&](auto& v) {
            return weighted_sum(conv2d(v[0], v[1], v[2], stride, padding, c.groups));
          },
          {x, w, b});
    }
    check_gradients(
        [&](auto& v) {
          return weighted_sum(conv2d(v[0], v[1], Var(), {1, 1}, {}, c.groups));
        },
        {x, w});
  }
}

// A depthwise convolution is C ordinary convolutions side by side: channel c of x with filters
// c·M … c·M + M − 1. Built from slice, conv2d (groups 1) and concat, the same values and
// gradients must come out.
TEST(Conv2d, DepthwiseEqualsOneConvolutionPerChannel) {
  Rng rng(16);
  const int64_t C = 3, M = 2;
  const Tensor x0 = testing::normal({2, C, 7, 6}, rng), w0 = testing::normal({C * M, 1, 3, 3}, rng);
  const Tensor b0 = testing::normal({C * M}, rng);
  const Tensor dy = testing::normal({2, C * M, 4, 3}, rng);
  const Padding2d padding = same_padding({7, 6}, {3, 3}, {2, 2});  // {1, 1, 0, 1}
  Var x1 = leaf(x0.clone()), w1 = leaf(w0.clone()), b1 = leaf(b0.clone());
  Var x2 = leaf(x0.clone()), w2 = leaf(w0.clone()), b2 = leaf(b0.clone());
  Var depthwise = conv2d(x1, w1, b1, {2, 2}, padding, /*groups=*/C);
  std::vector<Var> per_channel;
  for (int64_t c = 0; c < C; ++c)
    per_channel.push_back(conv2d(slice(x2, 1, c, c + 1), slice(w2, 0, c * M, (c + 1) * M),
                                 slice(b2, 0, c * M, (c + 1) * M), {2, 2}, padding));
  Var split = concat(per_channel, 1);
  backward(depthwise, dy);
  backward(split, dy);
  const Tol tol{1e-5, 1e-5};
  EXPECT_TENSORS_NEAR(depthwise.value(), split.value(), tol);
  EXPECT_TENSORS_NEAR(x1.grad(), x2.grad(), tol);
  EXPECT_TENSORS_NEAR(w1.grad(), w2.grad(), tol);
  EXPECT_TENSORS_NEAR(b1.grad(), b2.grad(), tol);
}

// MobileNet's block: pointwise → depthwise → pointwise, 32 channels (oneDNN's nChw16c for all
// three). The convolutions hand over their blocked layouts (forward values, and input gradients
// to a sole reader) through the depthwise one as through any other; the numbers must be those of
// the same graph with the hand-over broken by an op between (scale by 1, which changes no bit).
TEST(Conv2d, DepthwiseBetweenPointwiseConvolutionsHandsOverLayoutsWithTheSameNumbers) {
  Rng rng(17);
  const Tensor x0 = testing::normal({2, 16, 8, 8}, rng), wa0 = testing::normal({32, 16, 1, 1}, rng);
  const Tensor wd0 = testing::normal({32, 1, 3, 3}, rng),
               wb0 = testing::normal({32, 32, 1, 1}, rng);
  const Tensor dy = testing::normal({2, 32, 8, 8}, rng);
  const Padding2d same = Padding2d::symmetric(1, 1);
  Var x1 = leaf(x0.clone()), wa1 = leaf(wa0.clone()), wd1 = leaf(wd0.clone()),
      wb1 = leaf(wb0.clone());
  Var x2 = leaf(x0.clone()), wa2 = leaf(wa0.clone()), wd2 = leaf(wd0.clone()),
      wb2 = leaf(wb0.clone());
  Var a1 = conv2d(x1, wa1, Var());
  Var d1 = conv2d(a1, wd1, Var(), {1, 1}, same, 32);
  Var y1 = conv2d(d1, wb1, Var());
  ASSERT_TRUE(a1.node()->value_copy.defined() && d1.node()->value_copy.defined())
      << "oneDNN chose the plain layout here";
  Var d2 = conv2d(scale(conv2d(x2, wa2, Var()), 1.f), wd2, Var(), {1, 1}, same, 32);
  Var y2 = conv2d(scale(d2, 1.f), wb2, Var());
  EXPECT_EQ(std::memcmp(y1.value().data(), y2.value().data(), size_t(y1.numel()) * 4), 0);
  backward(y1, dy);
  backward(y2, dy);
  const Tol tol{1e-5, 1e-5};
  EXPECT_TENSORS_NEAR(x1.grad(), x2.grad(), tol);
  EXPECT_TENSORS_NEAR(wa1.grad(), wa2.grad(), tol);
  EXPECT_TENSORS_NEAR(wd1.grad(), wd2.grad(), tol);
  EXPECT_TENSORS_NEAR(wb1.grad(), wb2.grad(), tol);
}

TEST(Conv2d, RejectsGroupsThatDoNotFitNamingThem) {
  Var x = constant(Tensor::zeros({2, 6, 5, 5}));
  EXPECT_THAT(error_of([&] {
                conv2d(x, constant(Tensor::zeros({6, 1, 3, 3})), Var(), {1, 1}, {}, 4);
              }),
              HasSubstr("conv2d: x has 6 channels, kernel expects 1 per group × 4 groups = 4 (x "
                        "[2,6,5,5], kernel [6,1,3,3])"));
  EXPECT_THAT(
      error_of([&] {
        conv2d(x, constant(Tensor::zeros({4, 2, 3, 3})), Var(), {1, 1}, {}, 3);
      }),
      HasSubstr("conv2d: kernel has 4 filters, not a multiple of groups 3 (kernel [4,2,3,3])"));
  EXPECT_THAT(error_of([&] {
                conv2d(x, constant(Tensor::zeros({6, 6, 3, 3})), Var(), {1, 1}, {}, 0);
              }),
              HasSubstr("conv2d: expected groups >= 1, got 0"));
}

TEST(Conv2d, SamePaddingIsKerasPadding) {
  // ceil(in/stride) outputs; total = max((out − 1)·stride + k − in, 0), the odd pixel last.
  EXPECT_EQ(same_padding({6, 6}, {3, 3}, {1, 1}), (Padding2d{1, 1, 1, 1}));
  EXPECT_EQ(same_padding({6, 6}, {3, 3}, {2, 2}),
            (Padding2d{0, 1, 0, 1}));  // not torch's padding=1
  EXPECT_EQ(same_padding({5, 5}, {3, 3}, {2, 2}), (Padding2d{1, 1, 1, 1}));
  EXPECT_EQ(same_padding({7, 9}, {4, 2}, {1, 1}), (Padding2d{1, 2, 0, 1}));
  EXPECT_EQ(same_padding({6, 6}, {1, 1}, {2, 2}), (Padding2d{0, 0, 0, 0}));  // total would be −1
  // Output size is ceil(in/stride) in every case.
  Var x = constant(Tensor::zeros({1, 1, 7, 6}));
  Var w = constant(Tensor::zeros({1, 1, 3, 3}));
  EXPECT_EQ(conv2d(x, w, Var(), {2, 2}, same_padding({7, 6}, {3, 3}, {2, 2})).shape(),
            (Shape{1, 1, 4, 3}));
}

TEST(Conv2d, RejectsBadShapesNamingThem) {
  Var x = constant(Tensor::zeros({2, 3, 5, 5}));
  Var w = constant(Tensor::zeros({4, 3, 3, 3}));
  EXPECT_THAT(error_of([&] {
                conv2d(constant(Tensor::zeros({3, 5, 5})), w, Var());
              }),
              HasSubstr("conv2d: expected x [N,C,H,W] and kernel [O,C,KH,KW], got x [3,5,5] and "
                        "kernel [4,3,3,3]"));
  EXPECT_THAT(error_of([&] {
                conv2d(x, constant(Tensor::zeros({4, 2, 3, 3})), Var());
              }),
              HasSubstr("conv2d: x has 3 channels, kernel expects 2"));
  EXPECT_THAT(error_of([&] { conv2d(x, w, constant(Tensor::zeros({3}))); }),
              HasSubstr("conv2d: expected bias [4], got [3]"));
  EXPECT_THAT(error_of([&] {
                conv2d(x, constant(Tensor::zeros({4, 3, 7, 3})), Var());
              }),
              HasSubstr("conv2d: kernel 7x3 larger than the padded input 5x5 (x [2,3,5,5]"));
  EXPECT_THAT(error_of([&] {
                conv2d(x, w, Var(), {0, 1});
              }),
              HasSubstr("conv2d: expected stride >= 1, got [0,1]"));
  EXPECT_THAT(error_of([&] {
                conv2d(x, w, Var(), {1, 1}, {-1, 0, 0, 0});
              }),
              HasSubstr("conv2d: expected padding >= 0, got [top -1, bottom 0, left 0, right 0]"));
  EXPECT_THAT(error_of([&] {
                conv2d(constant(Tensor::zeros({2, 3, 0, 5})), w, Var(), {1, 1}, {2, 2, 0, 0});
              }),
              HasSubstr("conv2d: expected positive sizes"));
}

// ---- pooling ----

TEST(Pool2d, MatchesTorch) {
  const std::vector<std::pair<const char*, Var (*)(const Var&, Size2, Size2)>> cases = {
      {"max_pool2d_k2_s2", max_pool2d},
      {"max_pool2d_k3_s2", max_pool2d},  // overlapping windows: shared winners add gradients
      {"avg_pool2d_k2_s2", avg_pool2d},
      {"avg_pool2d_k3_s2", avg_pool2d},
  };
  for (const auto& [name, pool] : cases) {
    SCOPED_TRACE(name);
    const auto ref = load_fixture(name);
    Var x = leaf(ref("x"));
    Var y = pool(x, size2_param(ref, "kernel_size"), size2_param(ref, "stride"));
    EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
    backward(y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
  }
}

TEST(GlobalAvgPool2d, MatchesTorch) {
  const auto ref = load_fixture("global_avg_pool2d");
  Var x = leaf(ref("x"));
  Var y = global_avg_pool2d(x);
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
}

TEST(Pool2d, GradientsMatchFiniteDifferences) {
  Rng rng(8);
  const Tensor x = distinct({2, 2, 7, 6}, rng);
  check_gradients([](auto& v) { return weighted_sum(max_pool2d(v[0], {3, 3}, {2, 2})); }, {x});
  check_gradients([](auto& v) { return weighted_sum(max_pool2d(v[0], {2, 3}, {1, 2})); }, {x});
  check_gradients([](auto& v) { return weighted_sum(avg_pool2d(v[0], {3, 3}, {2, 2})); }, {x});
  check_gradients([](auto& v) { return weighted_sum(avg_pool2d(v[0], {2, 1}, {1, 1})); }, {x});
  check_gradients([](auto& v) { return weighted_sum(global_avg_pool2d(v[0])); }, {x});
}

TEST(Pool2d, RejectsBadShapesNamingThem) {
  Var x = constant(Tensor::zeros({2, 3, 4, 4}));
  EXPECT_THAT(error_of([&] {
                max_pool2d(constant(Tensor::zeros({2, 16})), {2, 2}, {2, 2});
              }),
              HasSubstr("max_pool2d: expected x [N,C,H,W], got [2,16]"));
  EXPECT_THAT(error_of([&] {
                avg_pool2d(x, {5, 2}, {1, 1});
              }),
              HasSubstr("avg_pool2d: window 5x2 larger than the input 4x4 (x [2,3,4,4])"));
  EXPECT_THAT(error_of([&] {
                max_pool2d(x, {2, 2}, {0, 2});
              }),
              HasSubstr("max_pool2d: expected window and stride >= 1"));
  EXPECT_THAT(error_of([&] {
                global_avg_pool2d(constant(Tensor::zeros({2, 3})));
              }),
              HasSubstr("global_avg_pool2d: expected x [N,C,H,W] with H, W >= 1, got [2,3]"));
}

// ---- batch normalization ----

TEST(BatchNorm, TrainingMatchesTorch) {
  for (const char* name : {"batchnorm2d_train", "batchnorm1d_train"}) {
    SCOPED_TRACE(name);
    const auto ref = load_fixture(name);
    Var x = leaf(ref("x")), gamma = leaf(ref("gamma")), beta = leaf(ref("beta"));
    BatchNormOutput out = batch_norm_train(x, gamma, beta, float(ref.param("eps")));
    EXPECT_TENSORS_NEAR(out.y.value(), ref("y"), kTorchTol);
    EXPECT_TENSORS_NEAR(out.mean, ref("batch_mean"), kTorchTol);
    EXPECT_TENSORS_NEAR(out.var, ref("batch_var"), kTorchTol);
    backward(out.y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
    EXPECT_TENSORS_NEAR(gamma.grad(), ref("d_gamma"), kTorchTol);
    EXPECT_TENSORS_NEAR(beta.grad(), ref("d_beta"), kTorchTol);
    // (running statistics: tests/nn/batch_normalization_test.cpp)
  }
}

TEST(BatchNorm, EvalMatchesTorch) {
  for (const char* name : {"batchnorm2d_eval", "batchnorm1d_eval"}) {
    SCOPED_TRACE(name);
    const auto ref = load_fixture(name);
    Var x = leaf(ref("x")), gamma = leaf(ref("gamma")), beta = leaf(ref("beta"));
    Var y = batch_norm_eval(x, gamma, beta, ref("running_mean"), ref("running_var"),
                            float(ref.param("eps")));
    EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
    backward(y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
    EXPECT_TENSORS_NEAR(gamma.grad(), ref("d_gamma"), kTorchTol);
    EXPECT_TENSORS_NEAR(beta.grad(), ref("d_beta"), kTorchTol);
  }
}

TEST(BatchNorm, GradientsMatchFiniteDifferences) {
  Rng rng(12);
  const Tensor x4 = testing::normal({3, 2, 3, 2}, rng, 2.f), x2 = testing::normal({5, 3}, rng, 2.f);
  const Tensor g2 = testing::uniform({2}, rng, 0.5f, 1.5f), b2 = testing::normal({2}, rng);
  const Tensor g3 = testing::uniform({3}, rng, 0.5f, 1.5f), b3 = testing::normal({3}, rng);
  const Tensor mean = Tensor::from({3}, {0.1f, -0.2f, 0.3f}),
               var = Tensor::from({3}, {0.5f, 1.f, 2.f});
  check_gradients([](auto& v) { return weighted_sum(batch_norm_train(v[0], v[1], v[2], 1e-5f).y); },
                  {x4, g2, b2});
  check_gradients([](auto& v) { return weighted_sum(batch_norm_train(v[0], v[1], v[2], 1e-3f).y); },
                  {x2, g3, b3});
  check_gradients(
      [&](auto& v) { return weighted_sum(batch_norm_eval(v[0], v[1], v[2], mean, var, 1e-5f)); },
      {x2, g3, b3});
}

TEST(BatchNorm, RejectsBadShapesNamingThem) {
  Var x = constant(Tensor::zeros({4, 3, 2, 2}));
  Var g3 = constant(Tensor::ones({3})), g2 = constant(Tensor::ones({2}));
  EXPECT_THAT(error_of([&] {
                batch_norm_train(constant(Tensor::zeros({4, 3, 2})), g3, g3, 1e-5f);
              }),
              HasSubstr("batch_norm_train: expected x [N,C] or [N,C,H,W], got [4,3,2]"));
  EXPECT_THAT(
      error_of([&] { batch_norm_train(x, g2, g3, 1e-5f); }),
      HasSubstr("batch_norm_train: expected gamma and beta [3] for x [4,3,2,2], got gamma [2]"));
  EXPECT_THAT(
      error_of([&] { batch_norm_eval(x, g3, g3, Tensor::zeros({2}), Tensor::ones({3}), 1e-5f); }),
      HasSubstr("batch_norm_eval: expected running mean and variance [3]"));
  EXPECT_THAT(error_of([&] {
                batch_norm_train(constant(Tensor::zeros({0, 3})), g3, g3, 1e-5f);
              }),
              HasSubstr("batch_norm_train: expected a non-empty batch"));
}

// ---- softmax ----

TEST(Softmax, MatchesTorch) {
  for (const char* name : {"softmax", "log_softmax"}) {
    SCOPED_TRACE(name);
    const auto ref = load_fixture(name);
    Var x = leaf(ref("x"));
    Var y = std::string(name) == "softmax" ? softmax(x) : log_softmax(x);
    EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
    backward(y, ref("d_y"));
    EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
  }
}

TEST(Softmax, IsStableForLargeLogitsAndRowsSumToOne) {
  Var x = constant(Tensor::from({2, 3}, {1000, 1001, 1002, -1000, -1000, -1000}));
  Tensor y = softmax(x).value();
  Tensor log_y = log_softmax(x).value();
  for (int64_t i = 0; i < 6; ++i) ASSERT_TRUE(std::isfinite(y[i]) && std::isfinite(log_y[i]));
  EXPECT_NEAR(y[0] + y[1] + y[2], 1.f, 1e-6);
  EXPECT_NEAR(y[3], 1.f / 3, 1e-6);
  EXPECT_NEAR(log_y[2], -std::log(1 + std::exp(-1.) + std::exp(-2.)), 1e-5);
}

TEST(Softmax, GradientsMatchFiniteDifferences) {
  Rng rng(4);
  const Tensor x = testing::normal({3, 5}, rng, 2.f), x3 = testing::normal({2, 2, 4}, rng);
  check_gradients([](auto& v) { return weighted_sum(softmax(v[0])); }, {x});
  check_gradients([](auto& v) { return weighted_sum(log_softmax(v[0])); }, {x});
  check_gradients([](auto& v) { return weighted_sum(softmax(v[0])); }, {x3});  // last axis of 3-D
}

TEST(Softmax, RejectsAScalar) {
  EXPECT_THAT(error_of([] { softmax(constant(Tensor::scalar(1.f))); }),
              HasSubstr("softmax: expected x [N,C] with C >= 1, got []"));
  EXPECT_THAT(error_of([] {
                log_softmax(constant(Tensor::zeros({2, 0})));
              }),
              HasSubstr("log_softmax: expected x [N,C] with C >= 1, got [2,0]"));
}

// ---- masks ----

TEST(Dropout, WithTheStoredMaskMatchesTorch) {
  const auto ref = load_fixture("dropout");
  Var x = leaf(ref("x"));
  Var y = dropout_with_mask(x, ref("mask"), float(ref.param("rate")));
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
}

TEST(Dropout, MasksBroadcastAndGetNoGradient) {
  Rng rng(2);
  const Tensor x = testing::normal({2, 3, 2, 2}, rng);
  const Tensor channel_mask = Tensor::from({2, 3, 1, 1}, {1, 0, 1, 0, 0, 1});
  Var y = mul_by_mask(constant(x), channel_mask);
  for (int64_t i = 0; i < x.numel(); ++i) EXPECT_EQ(y.value()[i], x[i] * channel_mask[i / 4]);
  check_gradients([&](auto& v) { return weighted_sum(mul_by_mask(v[0], channel_mask)); }, {x});
  check_gradients(
      [&](auto& v) { return weighted_sum(dropout_with_mask(v[0], channel_mask, 0.5f)); }, {x});
}

TEST(Dropout, RejectsBadRatesAndMasks) {
  Var x = constant(Tensor::zeros({2, 3}));
  EXPECT_THAT(error_of([&] {
                dropout_with_mask(x, Tensor::ones({2, 3}), 1.f);
              }),
              HasSubstr("dropout: expected 0 <= rate < 1, got 1"));
  EXPECT_THAT(error_of([&] {
                mul_by_mask(x, Tensor::ones({4, 2, 3}));
              }),
              HasSubstr("mul_by_mask: mask [4,2,3] must broadcast to x [2,3]"));
  EXPECT_THAT(error_of([&] {
                mul_by_mask(x, Tensor::ones({3, 3}));
              }),
              HasSubstr("do not broadcast"));
}

// ---- coverage ----

TEST(LayersFixtures, EveryCaseHasATest) {
  // This file, plus what tests/autograd/ops_test.cpp covers.
  const std::set<std::string> covered = {
      "conv2d_s1_p0", "conv2d_s1_p1", "conv2d_s2_p0", "conv2d_s2_p1", "max_pool2d_k2_s2",
      "max_pool2d_k3_s2", "avg_pool2d_k2_s2", "avg_pool2d_k3_s2", "global_avg_pool2d",
      "batchnorm2d_train", "batchnorm1d_train", "batchnorm2d_eval", "batchnorm1d_eval", "softmax",
      "log_softmax", "dropout",
      // ops_test.cpp
      "dense", "dense_relu_l2", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "flatten"};
  for (const std::string& name : testing::fixture_cases("layers.json"))
    EXPECT_TRUE(covered.count(name)) << "layers.json case " << name << " has no test";
}

}  // namespace
}  // namespace occam
