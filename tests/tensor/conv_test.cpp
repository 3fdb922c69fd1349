// Convolution kernels: oneDNN against the reference loops, and the loops against hand values.
#include "occam/tensor/conv.h"

#include <cmath>
#include <vector>

#include "occam/tensor/tensor.h"
#include "testing/testing.h"

namespace occam::kernels {
namespace {

using occam::testing::error_of;
using occam::testing::Tol;
using ::testing::HasSubstr;

Tensor x_tensor(const Conv2dShape& s) { return Tensor::zeros({s.N, s.C, s.H, s.W}); }
Tensor w_tensor(const Conv2dShape& s) { return Tensor::zeros({s.O, s.C / s.groups, s.KH, s.KW}); }
Tensor y_tensor(const Conv2dShape& s) { return Tensor::zeros({s.N, s.O, s.out_h(), s.out_w()}); }

std::string describe(const Conv2dShape& s) {
  return detail::concat("N=", s.N, " C=", s.C, " H=", s.H, " W=", s.W, " O=", s.O, " K=", s.KH, "x",
                        s.KW, " stride=", s.stride_h, "x", s.stride_w, " pad t/b/l/r=", s.pad_top,
                        "/", s.pad_bottom, "/", s.pad_left, "/", s.pad_right, " groups=", s.groups);
}

TEST(Conv2dReference, MatchesHandComputedValues) {
  // x = 1..9 as a 3x3 image, a 2x2 kernel of ones: each output is the sum of a 2x2 window.
  const Conv2dShape s{.N = 1, .C = 1, .H = 3, .W = 3, .O = 1, .KH = 2, .KW = 2};
  const Tensor x = Tensor::from({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = Tensor::ones({1, 1, 2, 2});
  const float b = 0.5f;
  Tensor y = y_tensor(s);
  reference::conv2d_forward(s, x.data(), w.data(), &b, y.data());
  EXPECT_TENSORS_NEAR(y, Tensor::from({1, 1, 2, 2}, {12.5f, 16.5f, 24.5f, 28.5f}), Tol{});
  // dy = ones: dx counts the windows each pixel is in; dw sums each window's pixels; db = 4.
  const Tensor dy = Tensor::ones({1, 1, 2, 2});
  Tensor dx = x_tensor(s), dw = w_tensor(s);
  float db = 0;
  reference::conv2d_backward_data(s, dy.data(), w.data(), dx.data());
  reference::conv2d_backward_weights(s, dy.data(), x.data(), dw.data(), &db);
  EXPECT_TENSORS_NEAR(dx, Tensor::from({1, 1, 3, 3}, {1, 2, 1, 2, 4, 2, 1, 2, 1}), Tol{});
  EXPECT_TENSORS_NEAR(dw, Tensor::from({1, 1, 2, 2}, {12, 16, 24, 28}), Tol{});
  EXPECT_FLOAT_EQ(db, 4.f);
}

TEST(Conv2dReference, PaddingIsZeroAndStrideSkips) {
  // 2x2 image, 3x3 kernel of ones, padding 1, stride 2: OH = (1 + 2 + 1 − 3)/2 + 1 = 1, and the
  // one window covers the whole image plus zeros.
  const Conv2dShape s{.N = 1,
                      .C = 1,
                      .H = 2,
                      .W = 2,
                      .O = 1,
                      .KH = 3,
                      .KW = 3,
                      .stride_h = 2,
                      .stride_w = 2,
                      .pad_top = 1,
                      .pad_bottom = 1,
                      .pad_left = 1,
                      .pad_right = 1};
  const Tensor x = Tensor::from({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor w = Tensor::ones({1, 1, 3, 3});
  Tensor y = y_tensor(s);
  reference::conv2d_forward(s, x.data(), w.data(), nullptr, y.data());
  EXPECT_TENSORS_NEAR(y, Tensor::from({1, 1, 1, 1}, {10}), Tol{});
  // Asymmetric: padding only at the bottom/right (Keras 'same', stride 2, even input).
  const Conv2dShape t{.N = 1,
                      .C = 1,
                      .H = 2,
                      .W = 2,
                      .O = 1,
                      .KH = 3,
                      .KW = 3,
                      .stride_h = 2,
                      .stride_w = 2,
                      .pad_top = 0,
                      .pad_bottom = 1,
                      .pad_left = 0,
                      .pad_right = 1};
  Tensor z = y_tensor(t);
  reference::conv2d_forward(t, x.data(), w.data(), nullptr, z.data());
  EXPECT_TENSORS_NEAR(z, Tensor::from({1, 1, 1, 1}, {10}), Tol{});
  const Tensor w2 = Tensor::from({1, 1, 3, 3}, {1, 10, 100, 1000, 1e4f, 1e5f, 0, 0, 0});
  reference::conv2d_forward(t, x.data(), w2.data(), nullptr, z.data());
  // Kernel tap (p,q) sees x[p][q]: 1·1 + 2·10 + 3·1000 + 4·1e4.
  EXPECT_TENSORS_NEAR(z, Tensor::from({1, 1, 1, 1}, {43021}), Tol{});
}

// oneDNN and the reference loops on the same random inputs; the backward outputs start
// non-zero so that accumulation (+=) is checked too.
void expect_onednn_matches_reference(const Conv2dShape& s) {
  SCOPED_TRACE(describe(s));
  Rng rng(static_cast<uint64_t>(s.N * 1000 + s.C * 100 + s.H * 10 + s.O));
  const Tensor x = testing::normal({s.N, s.C, s.H, s.W}, rng);
  const Tensor w = testing::normal({s.O, s.C / s.groups, s.KH, s.KW}, rng);
  const Tensor b = testing::normal({s.O}, rng);
  const Tensor dy = testing::normal({s.N, s.O, s.out_h(), s.out_w()}, rng);
  const Tensor dx0 = testing::normal(x.shape(), rng), dw0 = testing::normal(w.shape(), rng);
  const Tensor db0 = testing::normal(b.shape(), rng);

  Tensor y_fast = y_tensor(s), y_ref = y_tensor(s);
  conv2d_forward(s, x.data(), w.data(), b.data(), y_fast.data());
  reference::conv2d_forward(s, x.data(), w.data(), b.data(), y_ref.data());
  // float32 sums of C·KH·KW products (up to 400 here) against double: ~1e-6 relative to the
  // sum of |terms|, which is a few units, hence abs 2e-5.
  const Tol tol{2e-5, 1e-5};
  EXPECT_TENSORS_NEAR(y_fast, y_ref, tol);

  Tensor dx_fast = dx0.clone(), dx_ref = dx0.clone();
  conv2d_backward_data(s, dy.data(), w.data(), dx_fast.data());
  reference::conv2d_backward_data(s, dy.data(), w.data(), dx_ref.data());
  EXPECT_TENSORS_NEAR(dx_fast, dx_ref, tol);

  Tensor dw_fast = dw0.clone(), dw_ref = dw0.clone(), db_fast = db0.clone(), db_ref = db0.clone();
  conv2d_backward_weights(s, dy.data(), x.data(), dw_fast.data(), db_fast.data());
  reference::conv2d_backward_weights(s, dy.data(), x.data(), dw_ref.data(), db_ref.data());
  // dw sums N·OH·OW products (up to 4·12·12 = 576).
  EXPECT_TENSORS_NEAR(dw_fast, dw_ref, (Tol{5e-5, 1e-5}));
  EXPECT_TENSORS_NEAR(db_fast, db_ref, (Tol{5e-5, 1e-5}));

  // No bias: the forward equals the biased one minus b.
  Tensor y_nobias = y_tensor(s);
  conv2d_forward(s, x.data(), w.data(), nullptr, y_nobias.data());
  reference::conv2d_forward(s, x.data(), w.data(), nullptr, y_ref.data());
  EXPECT_TENSORS_NEAR(y_nobias, y_ref, tol);
}

TEST(Conv2d, OneDnnMatchesReferenceLoops) {
  const std::vector<Conv2dShape> shapes = {
      // the fixture shape: stride 1, no padding
      {.N = 2, .C = 2, .H = 6, .W = 6, .O = 3, .KH = 3, .KW = 3},
      // stride 2, symmetric padding 1
      {.N = 2,
       .C = 2,
       .H = 6,
       .W = 6,
       .O = 3,
       .KH = 3,
       .KW = 3,
       .stride_h = 2,
       .stride_w = 2,
       .pad_top = 1,
       .pad_bottom = 1,
       .pad_left = 1,
       .pad_right = 1},
      // Keras 'same' with stride 2 on an even input: padding only at the bottom/right
      {.N = 3,
       .C = 4,
       .H = 8,
       .W = 8,
       .O = 5,
       .KH = 3,
       .KW = 3,
       .stride_h = 2,
       .stride_w = 2,
       .pad_top = 0,
       .pad_bottom = 1,
       .pad_left = 0,
       .pad_right = 1},
      // non-square everything, a dropped last row (stride 2 on an odd remainder)
      {.N = 2,
       .C = 3,
       .H = 9,
       .W = 7,
       .O = 4,
       .KH = 3,
       .KW = 2,
       .stride_h = 2,
       .stride_w = 1,
       .pad_top = 1,
       .pad_bottom = 0,
       .pad_left = 0,
       .pad_right = 2},
      // kernel as large as the input; one output pixel
      {.N = 1, .C = 1, .H = 5, .W = 5, .O = 1, .KH = 5, .KW = 5},
      // 1x1 convolution, more channels
      {.N = 4, .C = 8, .H = 12, .W = 12, .O = 16, .KH = 1, .KW = 1},
      // 5x5 'same' (2 on each side), stride 2, larger channel counts
      {.N = 2,
       .C = 16,
       .H = 14,
       .W = 14,
       .O = 8,
       .KH = 5,
       .KW = 5,
       .stride_h = 2,
       .stride_w = 2,
       .pad_top = 1,
       .pad_bottom = 2,
       .pad_left = 1,
       .pad_right = 2},
  };
  for (const Conv2dShape& s : shapes) expect_onednn_matches_reference(s);
}

// The benchmark CNN's layers (oneDNN's blocked layouts, with reorders at both ends): the fused
// ReLU, the combined backward writing or adding dx, and x kept from the forward for dw.
TEST(Conv2d, BlockedLayoutsFusedReluAndCombinedBackwardMatchReference) {
  const std::vector<Conv2dShape> shapes = {
      {.N = 2, .C = 1, .H = 28, .W = 28, .O = 32, .KH = 3, .KW = 3},   // conv1: plain src
      {.N = 2, .C = 32, .H = 26, .W = 26, .O = 64, .KH = 3, .KW = 3},  // conv2: nChw16c, direct
      {.N = 9, .C = 32, .H = 26, .W = 26, .O = 64, .KH = 3, .KW = 3},  // batch > 8: Winograd
  };
  for (const Conv2dShape& s : shapes) {
    SCOPED_TRACE(describe(s));
    Rng rng(11);
    const Tensor x = testing::normal({s.N, s.C, s.H, s.W}, rng);
    const Tensor w = testing::normal({s.O, s.C, s.KH, s.KW}, rng, 0.2f);
    const Tensor b = testing::normal({s.O}, rng);
    const Tensor dy = testing::normal({s.N, s.O, s.out_h(), s.out_w()}, rng);
    const Tensor dx0 = testing::normal(x.shape(), rng), dw0 = testing::normal(w.shape(), rng);
    const Tensor db0 = testing::normal(b.shape(), rng);
    const Tol tol{1e-4, 1e-5};  // sums of up to 288 products (forward, dx) and 1152 (dw)

    Tensor y_ref = y_tensor(s);
    reference::conv2d_forward(s, x.data(), w.data(), b.data(), y_ref.data());
    for (int64_t i = 0; i < y_ref.numel(); ++i) y_ref[i] = y_ref[i] > 0.f ? y_ref[i] : 0.f;
    Tensor y = y_tensor(s), x_kept;
    conv2d_forward(s, x.data(), w.data(), b.data(), y.data(), /*relu=*/true, &x_kept);
    EXPECT_TENSORS_NEAR(y, y_ref, tol);
    for (int64_t i = 0; i < y.numel(); ++i) ASSERT_GE(y[i], 0.f) << "relu at " << i;

    Tensor dx_ref = dx0.clone(), dw_ref = dw0.clone(), db_ref = db0.clone();
    reference::conv2d_backward_data(s, dy.data(), w.data(), dx_ref.data());
    reference::conv2d_backward_weights(s, dy.data(), x.data(), dw_ref.data(), db_ref.data());
    Tensor dx = dx0.clone(), dw = dw0.clone(), db = db0.clone();  // accumulate
    conv2d_backward(s, dy.data(), x.data(), w.data(), dx.data(), dw.data(), db.data(), &x_kept);
    EXPECT_TENSORS_NEAR(dx, dx_ref, tol);
    EXPECT_TENSORS_NEAR(dw, dw_ref, (Tol{5e-4, 1e-5}));
    EXPECT_TENSORS_NEAR(db, db_ref, (Tol{5e-4, 1e-5}));

    // write_dx: dx's old contents (here NaN) are ignored.
    Tensor dx_written = Tensor::full(x.shape(), NAN);
    Tensor dx_alone = Tensor::zeros(x.shape());
    reference::conv2d_backward_data(s, dy.data(), w.data(), dx_alone.data());
    conv2d_backward(s, dy.data(), x.data(), w.data(), dx_written.data(), nullptr, nullptr, nullptr,
                    /*write_dx=*/true);
    EXPECT_TENSORS_NEAR(dx_written, dx_alone, tol);
  }
}

// ---- groups (depthwise: groups = C, kernel [C·M, 1, KH, KW]) ----

TEST(Conv2dReference, DepthwiseReadsOneChannelPerOutputChannelByHand) {
  // C = 2, channel multiplier M = 2 (O = 4), 1x1 kernel w = {1, 2, 3, 4}: output channel c·M + m
  // is w[c·M + m]·x[c], so outputs 0, 1 scale channel 0 and outputs 2, 3 scale channel 1.
  const Conv2dShape s{.N = 1, .C = 2, .H = 2, .W = 2, .O = 4, .KH = 1, .KW = 1, .groups = 2};
  const Tensor x = Tensor::from({1, 2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40});
  const Tensor w = Tensor::from({4, 1, 1, 1}, {1, 2, 3, 4});
  Tensor y = y_tensor(s);
  reference::conv2d_forward(s, x.data(), w.data(), nullptr, y.data());
  EXPECT_TENSORS_NEAR(y,
                      Tensor::from({1, 4, 2, 2}, {1, 2, 3, 4, 2, 4, 6, 8,  //
                                                  30, 60, 90, 120, 40, 80, 120, 160}),
                      Tol{});
  // dy = ones: dx[c] = Σ_m w[c·M + m] (3 for channel 0, 7 for channel 1) at every pixel;
  // dw[o] = Σ x over o's input channel (10, 10, 100, 100); db = 4 pixels each.
  const Tensor dy = Tensor::ones(y.shape());
  Tensor dx = x_tensor(s), dw = w_tensor(s), db = Tensor::zeros({4});
  reference::conv2d_backward_data(s, dy.data(), w.data(), dx.data());
  reference::conv2d_backward_weights(s, dy.data(), x.data(), dw.data(), db.data());
  EXPECT_TENSORS_NEAR(dx, Tensor::from({1, 2, 2, 2}, {3, 3, 3, 3, 7, 7, 7, 7}), Tol{});
  EXPECT_TENSORS_NEAR(dw, Tensor::from({4, 1, 1, 1}, {10, 10, 100, 100}), Tol{});
  EXPECT_TENSORS_NEAR(db, Tensor::from({4}, {4, 4, 4, 4}), Tol{});
  // The same for oneDNN.
  Tensor y_fast = y_tensor(s);
  conv2d_forward(s, x.data(), w.data(), nullptr, y_fast.data());
  EXPECT_TENSORS_NEAR(y_fast, y, Tol{});
}

TEST(Conv2dReference, GroupOfTwoChannelsByHand) {
  // C = 4, O = 2, groups 2, 1x1 kernel w [2, 2, 1, 1] = {1, 10, 100, 1000}: output 0 reads
  // channels 0, 1 (1·x0 + 10·x1), output 1 channels 2, 3 (100·x2 + 1000·x3). One pixel.
  const Conv2dShape s{.N = 1, .C = 4, .H = 1, .W = 1, .O = 2, .KH = 1, .KW = 1, .groups = 2};
  const Tensor x = Tensor::from({1, 4, 1, 1}, {1, 2, 3, 4});
  const Tensor w = Tensor::from({2, 2, 1, 1}, {1, 10, 100, 1000});
  Tensor y = y_tensor(s);
  reference::conv2d_forward(s, x.data(), w.data(), nullptr, y.data());
  EXPECT_TENSORS_NEAR(y, Tensor::from({1, 2, 1, 1}, {21, 4300}), Tol{});
}

TEST(Conv2d, GroupedAndDepthwiseOneDnnMatchesReferenceLoops) {
  const std::vector<Conv2dShape> shapes = {
      // depthwise 3x3, multiplier 1, 'same' stride 1
      {.N = 2,
       .C = 8,
       .H = 7,
       .W = 6,
       .O = 8,
       .KH = 3,
       .KW = 3,
       .pad_top = 1,
       .pad_bottom = 1,
       .pad_left = 1,
       .pad_right = 1,
       .groups = 8},
      // depthwise in blocks of 16 channels, Keras 'same' stride 2 on an even input (bottom/right)
      {.N = 2,
       .C = 32,
       .H = 8,
       .W = 8,
       .O = 32,
       .KH = 3,
       .KW = 3,
       .stride_h = 2,
       .stride_w = 2,
       .pad_top = 0,
       .pad_bottom = 1,
       .pad_left = 0,
       .pad_right = 1,
       .groups = 32},
      // depthwise, multiplier 2, an odd channel count, non-square kernel and strides
      {.N = 3,
       .C = 3,
       .H = 9,
       .W = 7,
       .O = 6,
       .KH = 3,
       .KW = 2,
       .stride_h = 2,
       .stride_w = 1,
       .pad_top = 1,
       .pad_bottom = 0,
       .pad_left = 0,
       .pad_right = 1,
       .groups = 3},
      // groups of 2 input channels, 3 outputs each
      {.N = 2, .C = 4, .H = 6, .W = 6, .O = 6, .KH = 3, .KW = 3, .groups = 2},
      // 4 groups of 4 → 8, 5x5 with padding
      {.N = 2,
       .C = 16,
       .H = 10,
       .W = 10,
       .O = 32,
       .KH = 5,
       .KW = 5,
       .pad_top = 2,
       .pad_bottom = 2,
       .pad_left = 2,
       .pad_right = 2,
       .groups = 4},
      // a batch above 8 (where groups = 1 would let oneDNN take Winograd)
      {.N = 9, .C = 16, .H = 10, .W = 10, .O = 16, .KH = 3, .KW = 3, .groups = 16},
  };
  for (const Conv2dShape& s : shapes) expect_onednn_matches_reference(s);
}

// A depthwise layer in oneDNN's blocked layout: fused ReLU, the combined backward writing or
// adding dx, and x kept from the forward for dw, as for groups = 1.
TEST(Conv2d, DepthwiseCombinedBackwardMatchesReference) {
  const Conv2dShape s{.N = 2,
                      .C = 32,
                      .H = 12,
                      .W = 12,
                      .O = 64,
                      .KH = 3,
                      .KW = 3,
                      .pad_top = 1,
                      .pad_bottom = 1,
                      .pad_left = 1,
                      .pad_right = 1,
                      .groups = 32};
  Rng rng(13);
  const Tensor x = testing::normal({s.N, s.C, s.H, s.W}, rng);
  const Tensor w = testing::normal({s.O, 1, s.KH, s.KW}, rng);
  const Tensor b = testing::normal({s.O}, rng);
  const Tensor dy = testing::normal({s.N, s.O, s.out_h(), s.out_w()}, rng);
  const Tensor dx0 = testing::normal(x.shape(), rng), dw0 = testing::normal(w.shape(), rng);
  const Tensor db0 = testing::normal(b.shape(), rng);
  const Tol tol{2e-5, 1e-5};  // sums of 9 products (forward), 18 (dx); 288 for dw

  Tensor y_ref = y_tensor(s);
  reference::conv2d_forward(s, x.data(), w.data(), b.data(), y_ref.data());
  for (int64_t i = 0; i < y_ref.numel(); ++i) y_ref[i] = y_ref[i] > 0.f ? y_ref[i] : 0.f;
  Tensor y = y_tensor(s), x_kept;
  conv2d_forward(s, x.data(), w.data(), b.data(), y.data(), /*relu=*/true, &x_kept);
  EXPECT_TENSORS_NEAR(y, y_ref, tol);

  Tensor dx_ref = dx0.clone(), dw_ref = dw0.clone(), db_ref = db0.clone();
  reference::conv2d_backward_data(s, dy.data(), w.data(), dx_ref.data());
  reference::conv2d_backward_weights(s, dy.data(), x.data(), dw_ref.data(), db_ref.data());
  Tensor dx = dx0.clone(), dw = dw0.clone(), db = db0.clone();
  conv2d_backward(s, dy.data(), x.data(), w.data(), dx.data(), dw.data(), db.data(), &x_kept);
  EXPECT_TENSORS_NEAR(dx, dx_ref, tol);
  EXPECT_TENSORS_NEAR(dw, dw_ref, (Tol{1e-4, 1e-5}));
  EXPECT_TENSORS_NEAR(db, db_ref, (Tol{1e-4, 1e-5}));

  Tensor dx_written = Tensor::full(x.shape(), NAN), dx_alone = Tensor::zeros(x.shape());
  reference::conv2d_backward_data(s, dy.data(), w.data(), dx_alone.data());
  conv2d_backward(s, dy.data(), x.data(), w.data(), dx_written.data(), nullptr, nullptr, nullptr,
                  /*write_dx=*/true);
  EXPECT_TENSORS_NEAR(dx_written, dx_alone, tol);
}

TEST(Conv2d, RepeatedCallsReuseThePrimitiveAndGiveTheSameNumbers) {
  const Conv2dShape s{.N = 2, .C = 3, .H = 5, .W = 5, .O = 2, .KH = 3, .KW = 3};
  Rng rng(3);
  const Tensor x = testing::normal({2, 3, 5, 5}, rng), w = testing::normal({2, 3, 3, 3}, rng);
  Tensor y1 = y_tensor(s), y2 = y_tensor(s);
  conv2d_forward(s, x.data(), w.data(), nullptr, y1.data());
  conv2d_forward(s, x.data(), w.data(), nullptr, y2.data());
  for (int64_t i = 0; i < y1.numel(); ++i) ASSERT_EQ(y1[i], y2[i]) << "at " << i;
}

TEST(Conv2d, EmptyBatchDoesNothing) {
  const Conv2dShape s{.N = 0, .C = 1, .H = 3, .W = 3, .O = 1, .KH = 2, .KW = 2};
  float w[4] = {1, 1, 1, 1};
  conv2d_forward(s, nullptr, w, nullptr, nullptr);
  conv2d_backward_data(s, nullptr, w, nullptr);
  conv2d_backward_weights(s, nullptr, nullptr, w, nullptr);
  EXPECT_EQ(w[0], 1.f);
}

TEST(Conv2d, RejectsBadShapesNamingThem) {
  const float buf[1] = {0};
  float out[1] = {0};
  Conv2dShape too_big{.N = 1, .C = 1, .H = 2, .W = 2, .O = 1, .KH = 3, .KW = 3};
  EXPECT_THAT(error_of([&] { conv2d_forward(too_big, buf, buf, nullptr, out); }),
              HasSubstr("conv2d: kernel 3x3 larger than the padded input 2x2"));
  Conv2dShape zero{.N = 1, .C = 0, .H = 2, .W = 2, .O = 1, .KH = 1, .KW = 1};
  EXPECT_THAT(error_of([&] { reference::conv2d_forward(zero, buf, buf, nullptr, out); }),
              HasSubstr("conv2d: expected positive sizes, got x [1,0,2,2], kernel [1,0,1,1]"));
  Conv2dShape negative_pad{.N = 1, .C = 1, .H = 2, .W = 2, .O = 1, .KH = 1, .KW = 1, .pad_top = -1};
  EXPECT_THAT(error_of([&] { conv2d_backward_data(negative_pad, buf, buf, out); }),
              HasSubstr("conv2d: expected padding >= 0"));
  Conv2dShape zero_stride{.N = 1, .C = 1, .H = 2, .W = 2, .O = 1, .KH = 1, .KW = 1, .stride_h = 0};
  EXPECT_THAT(error_of([&] { conv2d_backward_weights(zero_stride, buf, buf, out, nullptr); }),
              HasSubstr("conv2d: expected strides >= 1"));
  Conv2dShape bad_groups{.N = 1, .C = 4, .H = 2, .W = 2, .O = 6, .KH = 1, .KW = 1, .groups = 4};
  EXPECT_THAT(error_of([&] { conv2d_forward(bad_groups, buf, buf, nullptr, out); }),
              HasSubstr("conv2d: expected groups >= 1 dividing both channel counts, got x "
                        "[1,4,2,2], kernel [6,1,1,1]"));
  EXPECT_THAT(error_of([&] { reference::conv2d_forward(bad_groups, buf, buf, nullptr, out); }),
              HasSubstr("groups 4"));
}

}  // namespace
}  // namespace occam::kernels
