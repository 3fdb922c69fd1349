// Pooling kernels against hand-computed values.
#include "occam/tensor/pool.h"

#include <cmath>
#include <utility>

#include "occam/tensor/rng.h"
#include "occam/tensor/tensor.h"
#include "testing/testing.h"

namespace occam::kernels {
namespace {

using occam::testing::error_of;
using occam::testing::Tol;
using ::testing::HasSubstr;

// x[0,0] = 0..15 as a 4x4 image; x[0,1] = the same reversed.
Tensor two_planes() {
  Tensor x = Tensor::empty({1, 2, 4, 4});
  for (int i = 0; i < 16; ++i) {
    x[i] = float(i);
    x[16 + i] = float(15 - i);
  }
  return x;
}

TEST(MaxPool2d, TakesTheWindowMaxAndRoutesTheGradientToIt) {
  const Pool2dShape s{
      .N = 1, .C = 2, .H = 4, .W = 4, .KH = 2, .KW = 2, .stride_h = 2, .stride_w = 2};
  const Tensor x = two_planes();
  Tensor y = Tensor::zeros({1, 2, 2, 2});
  max_pool2d_forward(s, x.data(), y.data());
  EXPECT_TENSORS_NEAR(y, Tensor::from({1, 2, 2, 2}, {5, 7, 13, 15, 15, 13, 7, 5}), Tol{});
  const Tensor dy = Tensor::from({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor dx = Tensor::full({1, 2, 4, 4}, 0.5f);  // accumulates
  max_pool2d_backward(s, dy.data(), x.data(), dx.data());
  // Plane 0 increases, so each window's max is its bottom-right pixel; plane 1, its top-left.
  const Tensor want =
      Tensor::from({1, 2, 4, 4}, {.5f, .5f, .5f,  .5f, .5f,  1.5f, .5f, 2.5f, .5f, .5f, .5f,
                                  .5f, .5f, 3.5f, .5f, 4.5f, 5.5f, .5f, 6.5f, .5f, .5f, .5f,
                                  .5f, .5f, 7.5f, .5f, 8.5f, .5f,  .5f, .5f,  .5f, .5f});
  EXPECT_TENSORS_NEAR(dx, want, Tol{});
}

TEST(MaxPool2d, OverlappingWindowsThatShareAWinnerAddTheirGradients) {
  // 3x3 windows, stride 2 over a 5x5 image of zeros with one 9 at the centre (2,2): all four
  // windows share it, so it receives all four gradients.
  const Pool2dShape s{
      .N = 1, .C = 1, .H = 5, .W = 5, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2};
  Tensor x = Tensor::zeros({1, 1, 5, 5});
  x[12] = 9.f;
  Tensor y = Tensor::zeros({1, 1, 2, 2});
  max_pool2d_forward(s, x.data(), y.data());
  EXPECT_TENSORS_NEAR(y, Tensor::full({1, 1, 2, 2}, 9.f), Tol{});
  Tensor dx = Tensor::zeros({1, 1, 5, 5});
  const Tensor dy = Tensor::from({1, 1, 2, 2}, {1, 10, 100, 1000});
  max_pool2d_backward(s, dy.data(), x.data(), dx.data());
  Tensor want = Tensor::zeros({1, 1, 5, 5});
  want[12] = 1111.f;
  EXPECT_TENSORS_NEAR(dx, want, Tol{});
}

// The branch-free 2x2 / stride-2 path against the plain loops, on values with many ties (the
// first maximum wins), odd and even sizes, adding to dx and writing it.
TEST(MaxPool2d, TwoByTwoFastPathMatchesTheLoops) {
  for (const auto [H, W] : {std::pair<int64_t, int64_t>{24, 24}, {7, 9}, {2, 34}}) {
    SCOPED_TRACE(::testing::Message() << "H=" << H << " W=" << W);
    const Pool2dShape s{
        .N = 2, .C = 3, .H = H, .W = W, .KH = 2, .KW = 2, .stride_h = 2, .stride_w = 2};
    Rng rng(uint64_t(H * 100 + W));
    Tensor x = Tensor::empty({2, 3, H, W});
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = float(rng.below(4));  // ties everywhere
    const Tensor dy = testing::normal({2, 3, s.out_h(), s.out_w()}, rng);
    Tensor y = Tensor::zeros({2, 3, s.out_h(), s.out_w()}), y_ref = y.clone();
    max_pool2d_forward(s, x.data(), y.data());
    reference::max_pool2d_forward(s, x.data(), y_ref.data());
    EXPECT_TENSORS_NEAR(y, y_ref, (Tol{0, 0}));

    const Tensor dx0 = testing::normal(x.shape(), rng);
    Tensor dx = dx0.clone(), dx_ref = dx0.clone();
    max_pool2d_backward(s, dy.data(), x.data(), dx.data());
    reference::max_pool2d_backward(s, dy.data(), x.data(), dx_ref.data());
    EXPECT_TENSORS_NEAR(dx, dx_ref, (Tol{1e-6, 0}));

    Tensor written = Tensor::full(x.shape(), NAN), alone = Tensor::zeros(x.shape());
    max_pool2d_backward(s, dy.data(), x.data(), written.data(), /*write=*/true);
    reference::max_pool2d_backward(s, dy.data(), x.data(), alone.data());
    EXPECT_TENSORS_NEAR(written, alone, (Tol{0, 0}));
  }
}

TEST(AvgPool2d, AveragesTheWindowAndSpreadsTheGradient) {
  const Pool2dShape s{
      .N = 1, .C = 2, .H = 4, .W = 4, .KH = 2, .KW = 2, .stride_h = 2, .stride_w = 2};
  const Tensor x = two_planes();
  Tensor y = Tensor::zeros({1, 2, 2, 2});
  avg_pool2d_forward(s, x.data(), y.data());
  EXPECT_TENSORS_NEAR(
      y, Tensor::from({1, 2, 2, 2}, {2.5f, 4.5f, 10.5f, 12.5f, 12.5f, 10.5f, 4.5f, 2.5f}), Tol{});
  // Overlapping 3x3 windows, stride 1, on a 4x4 plane: each pixel gets dy/9 per window it is in.
  const Pool2dShape t{
      .N = 1, .C = 1, .H = 4, .W = 4, .KH = 3, .KW = 3, .stride_h = 1, .stride_w = 1};
  const Tensor dy = Tensor::full({1, 1, 2, 2}, 9.f);
  Tensor dx = Tensor::zeros({1, 1, 4, 4});
  avg_pool2d_backward(t, dy.data(), dx.data());
  EXPECT_TENSORS_NEAR(
      dx, Tensor::from({1, 1, 4, 4}, {1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1}), Tol{});
}

TEST(GlobalAvgPool2d, IsThePlaneMean) {
  const Tensor x = two_planes();
  Tensor y = Tensor::zeros({1, 2});
  global_avg_pool2d_forward(2, 16, x.data(), y.data());
  EXPECT_TENSORS_NEAR(y, Tensor::from({1, 2}, {7.5f, 7.5f}), Tol{});
  Tensor dx = Tensor::zeros({1, 2, 4, 4});
  const Tensor dy = Tensor::from({1, 2}, {16, 32});
  global_avg_pool2d_backward(2, 16, dy.data(), dx.data());
  EXPECT_FLOAT_EQ(dx[0], 1.f);
  EXPECT_FLOAT_EQ(dx[31], 2.f);
}

TEST(Pool2d, RejectsAWindowLargerThanTheInput) {
  const Pool2dShape s{
      .N = 1, .C = 1, .H = 2, .W = 5, .KH = 3, .KW = 3, .stride_h = 1, .stride_w = 1};
  float buf[10] = {};
  EXPECT_THAT(error_of([&] { max_pool2d_forward(s, buf, buf); }),
              HasSubstr("pool2d: window 3x3 larger than the input 2x5"));
  const Pool2dShape zero{
      .N = 1, .C = 1, .H = 2, .W = 2, .KH = 1, .KW = 1, .stride_h = 0, .stride_w = 1};
  EXPECT_THAT(error_of([&] { avg_pool2d_forward(zero, buf, buf); }),
              HasSubstr("pool2d: expected positive sizes"));
}

}  // namespace
}  // namespace occam::kernels
