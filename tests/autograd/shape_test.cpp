// Shape ops (autograd/shape.cpp): reshape, concat, slice, permute — hand values, finite
// differences, and their errors.
#include <cmath>

#include "occam/autograd/ops.h"
#include "testing/testing.h"

namespace occam {
namespace {

using testing::check_gradients;
using testing::error_of;
using ::testing::HasSubstr;
using testing::Tol;

// sum(r ⊙ y) with fixed weights r: every element of y gets its own gradient, so a gradient that
// lands on the wrong element fails (with plain sum(y) every element's gradient would be 1).
Var weighted_sum(const Var& y, uint64_t seed = 99) {
  Rng rng(seed);
  return sum(y * constant(testing::uniform(y.shape(), rng, -1.f, 1.f)));
}

Tensor iota(Shape shape, float start = 0) {
  Tensor t = Tensor::empty(std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = start + float(i);
  return t;
}

// ---- reshape ----

TEST(Reshape, InfersMinusOneAtAnyPosition) {
  Var x = constant(iota({2, 3, 4}));
  EXPECT_EQ(reshape(x, {-1, 4}).shape(), (Shape{6, 4}));
  EXPECT_EQ(reshape(x, {2, -1, 2}).shape(), (Shape{2, 6, 2}));
  EXPECT_EQ(reshape(x, {24, -1}).shape(), (Shape{24, 1}));
  EXPECT_EQ(reshape(x, {-1}).shape(), (Shape{24}));
  // A view: element order is row-major, unchanged.
  EXPECT_EQ(reshape(x, {4, -1}).value()[13], 13.f);
}

TEST(Reshape, GradientsMatchFiniteDifferences) {
  Rng rng(1);
  const Tensor x = testing::normal({2, 3, 4}, rng);
  for (const Shape& shape : {Shape{-1, 4}, Shape{2, -1, 2}, Shape{4, 3, 2}, Shape{-1}}) {
    SCOPED_TRACE(shape_str(shape));
    // square() between two reshapes: the gradient must come back in x's order.
    check_gradients(
        [&](auto& v) {
          return weighted_sum(reshape(square(reshape(v[0], shape)), {6, 4}));
        },
        {x});
  }
}

// ---- concat ----

TEST(Concat, HandValuesOnEveryAxis) {
  Var a = constant(Tensor::from({2, 2}, {1, 2, 3, 4}));
  Var b = constant(Tensor::from({2, 1}, {5, 6}));
  Var c = constant(Tensor::from({1, 2}, {7, 8}));
  EXPECT_TENSORS_NEAR(concat({a, b}, 1).value(), Tensor::from({2, 3}, {1, 2, 5, 3, 4, 6}), Tol{});
  EXPECT_TENSORS_NEAR(concat({a, b}, -1).value(), Tensor::from({2, 3}, {1, 2, 5, 3, 4, 6}), Tol{});
  EXPECT_TENSORS_NEAR(concat({a, c}, 0).value(), Tensor::from({3, 2}, {1, 2, 3, 4, 7, 8}), Tol{});
}

TEST(Concat, GradientIsEachInputsPartOfDy) {
  Var a = leaf(Tensor::zeros({2, 2})), b = leaf(Tensor::zeros({2, 1}));
  // dy = 0..5 as [2,3]: a gets columns 0-1 of each row, b column 2.
  backward(concat({a, b}, 1), iota({2, 3}));
  EXPECT_TENSORS_NEAR(a.grad(), Tensor::from({2, 2}, {0, 1, 3, 4}), Tol{});
  EXPECT_TENSORS_NEAR(b.grad(), Tensor::from({2, 1}, {2, 5}), Tol{});
  // One input given twice gets both parts: dy rows 0 and 1 added.
  Var x = leaf(Tensor::zeros({1, 3}));
  backward(concat({x, x}, 0), iota({2, 3}));
  EXPECT_TENSORS_NEAR(x.grad(), Tensor::from({1, 3}, {3, 5, 7}), Tol{});
}

TEST(Concat, GradientsMatchFiniteDifferences) {
  Rng rng(2);
  const Tensor a = testing::normal({2, 3, 4}, rng);
  for (int axis : {0, 1, 2, -1, -3}) {
    SCOPED_TRACE(::testing::Message() << "axis " << axis);
    Shape bs = a.shape(), cs = a.shape();
    const int d = axis < 0 ? axis + 3 : axis;
    bs[d] = 1;
    cs[d] = 2;
    check_gradients(
        [&](auto& v) {
          return weighted_sum(square(concat({v[0], v[1], v[2]}, axis)));
        },
        {a, testing::normal(bs, rng), testing::normal(cs, rng)});
  }
  // With a constant among the inputs.
  const Tensor k = testing::normal({2, 3, 4}, rng);
  check_gradients([&](auto& v) { return weighted_sum(concat({constant(k), v[0]}, 1)); }, {a});
}

TEST(Concat, RejectsABadAxisOrShapesNamingThem) {
  Var a = constant(Tensor::zeros({2, 3, 4})), b = constant(Tensor::zeros({2, 5, 5}));
  EXPECT_THAT(error_of([&] {
                concat({a, b}, 1);
              }),
              HasSubstr("concat: shapes must agree except on axis 1, got [2,3,4], [2,5,5]"));
  EXPECT_THAT(error_of([&] {
                concat({a, a}, 3);
              }),
              HasSubstr("concat: axis 3 out of range for rank 3 ([2,3,4], [2,3,4])"));
  EXPECT_THAT(error_of([&] { concat({a, a}, -4); }), HasSubstr("concat: axis -4 out of range"));
  EXPECT_THAT(error_of([&] {
                concat({a, constant(Tensor::zeros({2, 3}))}, 0);
              }),
              HasSubstr("concat: shapes must agree except on axis 0, got [2,3,4], [2,3]"));
  EXPECT_THAT(error_of([&] { concat({}, 0); }), HasSubstr("concat: expected at least one input"));
}

// ---- slice ----

TEST(Slice, HandValuesAndGradientOnEveryAxis) {
  // x = 0..23 as [2,3,4]: x[n,h,w] = 12n + 4h + w.
  Var x = leaf(iota({2, 3, 4}));
  Var y = slice(x, 1, 1, 3);  // h in {1, 2}
  EXPECT_TENSORS_NEAR(y.value(),
                      Tensor::from({2, 2, 4}, {4, 5, 6, 7, 8, 9, 10, 11,  //
                                               16, 17, 18, 19, 20, 21, 22, 23}),
                      Tol{});
  EXPECT_TENSORS_NEAR(slice(x, -1, 3, 4).value(), Tensor::from({2, 3, 1}, {3, 7, 11, 15, 19, 23}),
                      Tol{});
  EXPECT_TENSORS_NEAR(slice(x, 0, 1, 2).value(), iota({1, 3, 4}, 12), Tol{});
  EXPECT_EQ(slice(x, 2, 2, 2).shape(), (Shape{2, 3, 0}));  // empty
  // dx = dy inside the slice, 0 outside: with dy = 1, dx marks the rows h = 1, 2.
  backward(y, Tensor::ones(y.shape()));
  for (int64_t i = 0; i < 24; ++i) {
    const int64_t h = (i / 4) % 3;
    EXPECT_EQ(x.grad()[i], h >= 1 ? 1.f : 0.f) << "at " << i;
  }
}

TEST(Slice, GradientsMatchFiniteDifferences) {
  Rng rng(3);
  const Tensor x = testing::normal({2, 3, 4}, rng);
  struct Case {
    int axis;
    int64_t start, stop;
  };
  for (const Case c :
       {Case{0, 1, 2}, Case{1, 0, 2}, Case{2, 1, 3}, Case{-1, 0, 4}, Case{-2, 2, 3}}) {
    SCOPED_TRACE(::testing::Message()
                 << "axis " << c.axis << " [" << c.start << ", " << c.stop << ")");
    // Two overlapping slices of the same x: their gradients add.
    check_gradients(
        [&](auto& v) {
          return weighted_sum(square(slice(v[0], c.axis, c.start, c.stop))) +
                 weighted_sum(slice(v[0], c.axis, 0, c.stop), 7);
        },
        {x});
  }
}

TEST(Slice, RejectsABadAxisOrRangeNamingThem) {
  Var x = constant(Tensor::zeros({2, 3, 4}));
  EXPECT_THAT(
      error_of([&] { slice(x, 1, 2, 5); }),
      HasSubstr(
          "slice: expected 0 <= start <= stop <= 3 on axis 1 of x [2,3,4], got start 2, stop 5"));
  EXPECT_THAT(error_of([&] { slice(x, 0, -1, 1); }), HasSubstr("got start -1, stop 1"));
  EXPECT_THAT(error_of([&] { slice(x, 2, 3, 2); }), HasSubstr("got start 3, stop 2"));
  EXPECT_THAT(error_of([&] { slice(x, 3, 0, 1); }),
              HasSubstr("slice: axis 3 out of range for rank 3 (x [2,3,4])"));
}

// ---- permute ----

TEST(Permute, NchwToNhwcHandValuesAndGradient) {
  // x[0,c,h,w] = 4c + 2h + w for x [1,2,2,2]; y[0,h,w,c] listed in (h,w,c) order.
  Var x = leaf(iota({1, 2, 2, 2}));
  Var y = permute(x, {0, 2, 3, 1});
  EXPECT_TENSORS_NEAR(y.value(), Tensor::from({1, 2, 2, 2}, {0, 4, 1, 5, 2, 6, 3, 7}), Tol{});
  EXPECT_EQ(permute(x, {0, -2, -1, 1}).shape(), (Shape{1, 2, 2, 2}));  // negative axes
  // dy = 0..7 in y's layout goes back to x's: dx[0,c,h,w] = dy[0,h,w,c] = 4h + 2w + c.
  backward(y, iota({1, 2, 2, 2}));
  EXPECT_TENSORS_NEAR(x.grad(), Tensor::from({1, 2, 2, 2}, {0, 2, 4, 6, 1, 3, 5, 7}), Tol{});
}

TEST(Permute, GradientsMatchFiniteDifferences) {
  Rng rng(4);
  const Tensor x = testing::normal({2, 3, 4, 5}, rng);
  for (const std::vector<int>& perm :
       {std::vector<int>{0, 2, 3, 1}, {0, 3, 1, 2}, {3, 1, 0, 2}, {1, 0, 2, 3}, {0, 1, 2, 3}}) {
    SCOPED_TRACE(shape_str(Shape(perm.begin(), perm.end())));
    // Twice through the same x: the second backward adds (the accumulating path).
    check_gradients(
        [&](auto& v) {
          return weighted_sum(permute(v[0], perm)) + weighted_sum(square(permute(v[0], perm)), 5);
        },
        {x});
  }
}

TEST(Permute, RejectsWhatIsNotAPermutation) {
  Var x = constant(Tensor::zeros({2, 3, 4}));
  EXPECT_THAT(error_of([&] {
                permute(x, {0, 1});
              }),
              HasSubstr("permute: expected a permutation of the 3 axes of x [2,3,4], got [0,1]"));
  EXPECT_THAT(error_of([&] { permute(x, {0, 1, 1}); }), HasSubstr("got [0,1,1]"));
  EXPECT_THAT(error_of([&] { permute(x, {0, 1, -4}); }), HasSubstr("got [0,1,-4]"));
}

// ---- a detector's head, end to end ----

// Box codes of two feature maps, as an SSD head lays them out: conv output [N, A·4, H, W] →
// NHWC → [N, H·W·A, 4]; the maps concatenated along the anchors; the first two coordinates sliced.
TEST(ShapeOps, DetectorHeadLayoutGradientsMatchFiniteDifferences) {
  Rng rng(6);
  const int64_t A = 2;
  const Tensor f1 = testing::normal({2, A * 4, 3, 3}, rng),
               f2 = testing::normal({2, A * 4, 2, 1}, rng);
  auto head = [](const Var& f) { return reshape(permute(f, {0, 2, 3, 1}), {f.dim(0), -1, 4}); };
  check_gradients(
      [&](auto& v) {
        Var boxes = concat({head(v[0]), head(v[1])}, 1);  // [2, 3·3·2 + 2·1·2 = 22, 4]
        EXPECT_EQ(boxes.shape(), (Shape{2, 22, 4}));
        return weighted_sum(square(slice(boxes, -1, 0, 2)));
      },
      {f1, f2});
}

}  // namespace
}  // namespace occam
