// Axis permutation: the tiled and folded fast path against the reference loop, hand values, errors.
#include "occam/tensor/permute.h"

#include <algorithm>
#include <numeric>

#include "testing/testing.h"

namespace occam::kernels {
namespace {

using occam::testing::error_of;
using ::testing::HasSubstr;

Tensor iota(Shape shape) {
  Tensor t = Tensor::empty(std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = float(i);
  return t;
}

Tensor permuted(const Tensor& x, const std::vector<int>& perm, bool fast) {
  Tensor y = Tensor::empty(permuted_shape(x.shape(), perm));
  (fast ? permute : reference::permute)(x.data(), x.shape(), perm, y.data(), false);
  return y;
}

void expect_equal(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < got.numel(); ++i) ASSERT_EQ(got[i], want[i]) << "at " << i;
}

TEST(Permute, HandValues) {
  // [2,3] transposed: y[j,i] = x[i,j] with x = 0..5 row-major.
  expect_equal(permuted(iota({2, 3}), {1, 0}, true), Tensor::from({3, 2}, {0, 3, 1, 4, 2, 5}));
  // NCHW → NHWC of x [1,2,2,2], x[0,c,h,w] = 4c + 2h + w: y[0,h,w,c] in order (h,w,c).
  expect_equal(permuted(iota({1, 2, 2, 2}), {0, 2, 3, 1}, true),
               Tensor::from({1, 2, 2, 2}, {0, 4, 1, 5, 2, 6, 3, 7}));
  // The reference loop gives the same hand values.
  expect_equal(permuted(iota({1, 2, 2, 2}), {0, 2, 3, 1}, false),
               Tensor::from({1, 2, 2, 2}, {0, 4, 1, 5, 2, 6, 3, 7}));
}

// Every permutation of rank 4 and 5 on shapes with size-1 axes and sizes that are not multiples
// of the tile: the fast path (copy, batched transpose or the loop over y) moves exactly the same
// elements as the reference, written and accumulated.
TEST(Permute, FastPathEqualsReferenceForEveryPermutation) {
  const std::vector<Shape> shapes = {{3, 5, 1, 7}, {2, 33, 5, 7}, {1, 40, 3, 35}, {2, 3, 1, 4, 5}};
  Rng rng(3);
  for (const Shape& shape : shapes) {
    const Tensor x = testing::normal(shape, rng);
    std::vector<int> perm(shape.size());
    std::iota(perm.begin(), perm.end(), 0);
    do {
      SCOPED_TRACE(::testing::Message() << "x " << shape_str(shape) << " perm "
                                        << shape_str(Shape(perm.begin(), perm.end())));
      expect_equal(permuted(x, perm, true), permuted(x, perm, false));
      const Tensor y0 = testing::normal(permuted_shape(shape, perm), rng);
      Tensor fast = y0.clone(), ref = y0.clone();
      permute(x.data(), shape, perm, fast.data(), /*accumulate=*/true);
      reference::permute(x.data(), shape, perm, ref.data(), /*accumulate=*/true);
      expect_equal(fast, ref);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

// A detector's feature map, large enough for the parallel tiled path: NCHW → NHWC and back.
TEST(Permute, LargeNchwToNhwcAndBackRoundTrips) {
  Rng rng(5);
  const Tensor x = testing::normal({4, 64, 38, 38}, rng);
  const Tensor nhwc = permuted(x, {0, 2, 3, 1}, true);
  expect_equal(nhwc, permuted(x, {0, 2, 3, 1}, false));
  expect_equal(permuted(nhwc, {0, 3, 1, 2}, true), x);
}

TEST(Permute, RejectsWhatIsNotAPermutationNamingIt) {
  const float buf[24] = {};
  float out[24];
  EXPECT_THAT(error_of([&] {
                permute(buf, {2, 3, 4}, {0, 2, 2}, out);
              }),
              HasSubstr("permute: expected a permutation of the 3 axes of x [2,3,4], got [0,2,2]"));
  EXPECT_THAT(error_of([&] { permute(buf, {2, 3, 4}, {1, 0}, out); }), HasSubstr("got [1,0]"));
  EXPECT_THAT(error_of([&] {
                reference::permute(buf, {2, 3, 4}, {0, 1, 3}, out);
              }),
              HasSubstr("got [0,1,3]"));
}

}  // namespace
}  // namespace occam::kernels
