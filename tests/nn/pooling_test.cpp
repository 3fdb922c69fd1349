#include "occam/nn/pooling.h"

#include "occam/autograd/ops.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::load_fixture;
using testing::Tol;

const Tol kTorchTol{1e-5, 1e-4};

void expect_layer_matches_torch(Module& layer, const char* name) {
  SCOPED_TRACE(name);
  const auto ref = load_fixture(name);
  StepContext ctx;
  Var x = leaf(ref("x"));
  Var y = layer(x, ctx);
  EXPECT_EQ(layer.output_shape(x.shape()), y.shape());
  EXPECT_TENSORS_NEAR(y.value(), ref("y"), kTorchTol);
  backward(y, ref("d_y"));
  EXPECT_TENSORS_NEAR(x.grad(), ref("d_x"), kTorchTol);
}

TEST(Pooling, LayersMatchTorch) {
  MaxPool2D max2({.pool_size = {2, 2}});  // strides default to pool_size
  MaxPool2D max3({.pool_size = {3, 3}, .strides = Size2{2, 2}});
  AvgPool2D avg2({.pool_size = {2, 2}});
  AvgPool2D avg3({.pool_size = {3, 3}, .strides = Size2{2, 2}});
  GlobalAvgPool2D global;
  expect_layer_matches_torch(max2, "max_pool2d_k2_s2");
  expect_layer_matches_torch(max3, "max_pool2d_k3_s2");
  expect_layer_matches_torch(avg2, "avg_pool2d_k2_s2");
  expect_layer_matches_torch(avg3, "avg_pool2d_k3_s2");
  expect_layer_matches_torch(global, "global_avg_pool2d");
}

TEST(Pooling, StridesDefaultToPoolSizeAndPartialWindowsAreDropped) {
  MaxPool2D pool({.pool_size = {3, 2}});
  EXPECT_EQ(pool.strides(), (Size2{3, 2}));
  EXPECT_EQ(pool.output_shape({4, 5, 8, 7}), (Shape{4, 5, 2, 3}));
  EXPECT_EQ(MaxPool2D().options().pool_size, (Size2{2, 2}));  // Keras default
  EXPECT_EQ(pool.type_name(), "max_pooling2d");
  EXPECT_EQ(AvgPool2D().type_name(), "average_pooling2d");
  EXPECT_EQ(GlobalAvgPool2D().type_name(), "global_average_pooling2d");
  EXPECT_TRUE(pool.parameters().empty());
}

TEST(Pooling, GradientsMatchFiniteDifferences) {
  // Distinct values 0.1 apart: no ties, and no finite-difference step changes a winner.
  Rng rng(6);
  Tensor x = Tensor::empty({2, 2, 5, 6});
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = 0.1f * float((i * 37) % x.numel());
  StepContext ctx;
  MaxPool2D max({.pool_size = {2, 3}, .strides = Size2{1, 2}});
  AvgPool2D avg({.pool_size = {3, 3}, .strides = Size2{2, 1}});
  GlobalAvgPool2D global;
  const Tensor r = testing::normal({2, 2, 4, 2}, rng);
  testing::check_gradients([&](auto& v) { return sum(max(v[0], ctx) * constant(r)); }, {x});
  testing::check_gradients([&](auto& v) { return sum(square(avg(v[0], ctx))); }, {x});
  testing::check_gradients([&](auto& v) { return sum(square(global(v[0], ctx))); }, {x});
}

TEST(Pooling, RejectsBadInputNamingTheLayerAndShapes) {
  StepContext ctx;
  MaxPool2D pool({.pool_size = {3, 3}, .name = "max_pooling2d_1"});
  EXPECT_THAT(error_of([&] {
                pool(constant(Tensor::zeros({2, 3, 2, 8})), ctx);
              }),
              HasSubstr("max_pooling2d_1: pool_size 3x3 larger than the input 2x8 (x [2,3,2,8])"));
  EXPECT_THAT(error_of([&] {
                pool(constant(Tensor::zeros({2, 12})), ctx);
              }),
              HasSubstr("max_pooling2d_1: expected x [N,C,H,W], got [2,12]"));
  GlobalAvgPool2D global("gap");
  EXPECT_THAT(error_of([&] {
                global(constant(Tensor::zeros({2, 3, 4})), ctx);
              }),
              HasSubstr("gap: expected x [N,C,H,W] with H, W >= 1, got [2,3,4]"));
  EXPECT_THAT(error_of([] {
                AvgPool2D({.pool_size = {0, 2}});
              }),
              HasSubstr("pooling: expected pool_size >= 1, got 0x2"));
  EXPECT_THAT(error_of([] {
                AvgPool2D({.pool_size = {2, 2}, .strides = Size2{2, -1}, .name = "p"});
              }),
              HasSubstr("p: expected strides >= 1, got 2x-1"));
}

}  // namespace
}  // namespace occam::nn
