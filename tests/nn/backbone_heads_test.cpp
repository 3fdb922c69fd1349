// BackboneHeads: the anchor order by hand values, shapes and feature-map sizes, parameter names
// and order, activity terms, finite differences through the whole model, and errors.
#include "occam/nn/backbone_heads.h"

#include <algorithm>
#include <cmath>

#include "occam/autograd/ops.h"
#include "occam/nn/batch_normalization.h"
#include "occam/nn/conv2d.h"
#include "occam/nn/depthwise_conv2d.h"
#include "occam/nn/pooling.h"
#include "occam/regularize/regularizer.h"
#include "testing/testing.h"

namespace occam::nn {
namespace {

using ::testing::ElementsAre;
using testing::error_of;
using ::testing::HasSubstr;
using testing::Tol;

std::vector<std::string> names_of(const std::vector<Parameter*>& params) {
  std::vector<std::string> names;
  for (const Parameter* p : params) names.push_back(p->name);
  return names;
}

std::unique_ptr<Conv2D> conv(int64_t in, int64_t filters, int64_t k, Rng& rng, int64_t stride = 1,
                             Activation activation = Activation::linear, std::string name = "") {
  return std::make_unique<Conv2D>(Conv2DOptions{.filters = filters,
                                                .kernel_size = {k, k},
                                                .strides = {stride, stride},
                                                .padding = Padding::same,
                                                .activation = activation,
                                                .name = std::move(name)},
                                  in, rng);
}

// A 1×1 convolution whose output channel o is input channel pick[o] (weight 1), plus bias[o].
std::unique_ptr<Conv2D> picker(int64_t in, const std::vector<int64_t>& pick,
                               const std::vector<float>& bias, int64_t stride, Rng& rng) {
  auto layer = conv(in, int64_t(pick.size()), 1, rng, stride);
  Tensor& k = layer->kernel().data();
  k.fill(0.f);
  for (size_t o = 0; o < pick.size(); ++o) k[int64_t(o) * in + pick[o]] = 1.f;
  for (size_t o = 0; o < pick.size() && o < bias.size(); ++o)
    layer->bias()->data()[int64_t(o)] = bias[o];
  return layer;
}

template <class... M>
std::vector<std::unique_ptr<Module>> modules(std::unique_ptr<M>... m) {
  std::vector<std::unique_ptr<Module>> v;
  (v.push_back(std::move(m)), ...);
  return v;
}

// Drops the first image of the batch: a head that breaks the batch.
class DropFirstImage final : public Module {
 public:
  Var forward(const Var& x, StepContext&) override { return slice(x, 0, 1, x.dim(0)); }
  Shape output_shape(const Shape& in) const override {
    Shape out = in;
    out[0] -= 1;
    return out;
  }
};

// y = s·x with one parameter "scale": a head module that is neither a Layer nor a Sequential.
class Scale final : public Module {
 public:
  Scale() : scale_("scale", Tensor::full({1}, 2.f), regularize::Layout::vector) {}
  Var forward(const Var& x, StepContext&) override {
    return x * reshape(scale_.value, {1, 1, 1, 1});
  }
  std::vector<Parameter*> parameters() override { return {&scale_}; }
  Shape output_shape(const Shape& in) const override { return in; }

 private:
  Parameter scale_;
};

// x[b, c, y, x] = 1000·b + 100·c + 10·y + x: every value says where it came from.
Tensor where_from(int64_t B, int64_t C, int64_t H, int64_t W) {
  Tensor t = Tensor::empty({B, C, H, W});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x)
          t[((b * C + c) * H + y) * W + x] = float(1000 * b + 100 * c + 10 * y + x);
  return t;
}

// Backbone: conv2d_1 (1×1 identity on 6 channels) → feature map 0, 4×3;
//           conv2d_2 (1×1 identity, stride 2)     → feature map 1, 2×2 (x's rows 0,2, cols 0,2).
// box_encodings (V = 2): map 0 A = 3 (6 filters: channel o = input o),
//                        map 1 A = 2 (4 filters: channel o = input o).
// class_predictions (V = 3): map 0 A = 3 (9 filters: channel o = input o mod 6, + o/4),
//                            map 1 A = 2 (6 filters: channel o = input 5 − o, + o/4).
struct HandModel {
  BackboneHeads model;
  explicit HandModel(Rng& rng) {
    const std::vector<int64_t> id{0, 1, 2, 3, 4, 5};
    model.add(picker(6, id, {}, 1, rng));
    model.add_feature_map("conv2d_1", 3);
    model.add(picker(6, id, {}, 2, rng));
    model.add_feature_map("conv2d_2", 2);
    model.add_head("box_encodings", 2,
                   modules(picker(6, id, {}, 1, rng), picker(6, {0, 1, 2, 3}, {}, 1, rng)));
    std::vector<float> quarter(9);
    for (size_t o = 0; o < 9; ++o) quarter[o] = float(o) / 4;
    model.add_head("class_predictions", 3,
                   modules(picker(6, {0, 1, 2, 3, 4, 5, 0, 1, 2}, quarter, 1, rng),
                           picker(6, {5, 4, 3, 2, 1, 0}, quarter, 1, rng)));
  }
};

TEST(BackboneHeads, AnchorsAreLocationMajorThenAnchorThenValue) {
  Rng rng(1);
  HandModel m(rng);
  const Tensor x = where_from(2, 6, 4, 3);
  StepContext ctx;
  const Outputs out = m.model.forward_outputs(constant(x), ctx);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "box_encodings");
  EXPECT_EQ(out[1].name, "class_predictions");
  // ΣA = 4·3·3 + 2·2·2 = 44.
  ASSERT_EQ(out[0].value.shape(), (Shape{2, 44, 2}));
  ASSERT_EQ(out[1].value.shape(), (Shape{2, 44, 3}));
  const Tensor& box = out[0].value.value();
  // Anchor 4 = map 0, location 1 = (row 0, column 1), anchor 1: channels 2 and 3 there.
  EXPECT_EQ(box[(0 * 44 + 4) * 2 + 0], 201.f);
  EXPECT_EQ(box[(0 * 44 + 4) * 2 + 1], 301.f);
  // Anchor 10 = location 3 = (row 1, column 0), anchor 1; image 1.
  EXPECT_EQ(box[(1 * 44 + 10) * 2 + 0], 1210.f);
  // Anchor 41 = map 1 (from 36), location 2 = (row 1, column 0) = x's (row 2, column 0), anchor 1.
  EXPECT_EQ(box[(0 * 44 + 41) * 2 + 1], 320.f);
  // Every value, from the formula in the header.
  struct Map {
    int64_t offset, H, W, A, stride;
  };
  const Map maps[] = {{0, 4, 3, 3, 1}, {36, 2, 2, 2, 2}};
  const std::vector<int64_t> class_pick[] = {{0, 1, 2, 3, 4, 5, 0, 1, 2}, {5, 4, 3, 2, 1, 0}};
  for (int64_t b = 0; b < 2; ++b)
    for (int l = 0; l < 2; ++l) {
      const Map& map = maps[l];
      for (int64_t y = 0; y < map.H; ++y)
        for (int64_t xx = 0; xx < map.W; ++xx)
          for (int64_t a = 0; a < map.A; ++a) {
            const int64_t n = map.offset + (y * map.W + xx) * map.A + a;
            auto input = [&](int64_t c) {
              return float(1000 * b + 100 * c + 10 * y * map.stride + xx * map.stride);
            };
            for (int64_t v = 0; v < 2; ++v)
              ASSERT_EQ(box[(b * 44 + n) * 2 + v], input(a * 2 + v))
                  << "box_encodings image " << b << " anchor " << n << " value " << v;
            for (int64_t v = 0; v < 3; ++v) {
              const int64_t o = a * 3 + v;
              ASSERT_EQ(out[1].value.value()[(b * 44 + n) * 3 + v],
                        input(class_pick[l][o]) + float(o) / 4)
                  << "class_predictions image " << b << " anchor " << n << " value " << v;
            }
          }
    }
  // forward() is the first head; output() finds any head by name.
  EXPECT_TENSORS_NEAR(m.model(constant(x), ctx).value(), box, (Tol{0, 0}));
  EXPECT_TENSORS_NEAR(output(out, "class_predictions").value(), out[1].value.value(), (Tol{0, 0}));
}

// A small SSD: stride-2 "same" convolutions, three maps, 3×3 heads.
struct SmallSsd {
  BackboneHeads model;
  SmallSsd(Rng& rng, Activation act = Activation::relu) {
    model.add(conv(3, 4, 3, rng, 2, act));  // conv2d_1 [B,4,8,6]
    model.add(conv(4, 4, 3, rng, 1, act));  // conv2d_2 [B,4,8,6]  map 0, A 3
    model.add(conv(4, 5, 3, rng, 2, act));  // conv2d_3 [B,5,4,3]  map 1, A 6
    model.add(conv(5, 5, 3, rng, 2, act));  // conv2d_4 [B,5,2,2]  map 2, A 6
    model.add_feature_map("conv2d_2", 3);
    model.add_feature_map("conv2d_3", 6);
    model.add_feature_map("conv2d_4", 6);
    model.add_head("box_encodings", 4,
                   modules(conv(4, 12, 3, rng), conv(5, 24, 3, rng), conv(5, 24, 3, rng)));
    model.add_head("class_predictions", 3,
                   modules(conv(4, 9, 3, rng), conv(5, 18, 3, rng), conv(5, 18, 3, rng)));
  }
};

TEST(BackboneHeads, ShapesAndFeatureMapSizesForAnSsd) {
  Rng rng(2);
  SmallSsd ssd(rng);
  const Shape in{2, 3, 16, 12};
  // 8·6·3 + 4·3·6 + 2·2·6 = 144 + 72 + 24 = 240 anchors.
  EXPECT_THAT(ssd.model.feature_map_sizes(in), ElementsAre(Size2{8, 6}, Size2{4, 3}, Size2{2, 2}));
  EXPECT_EQ(ssd.model.num_anchors(in), 240);
  EXPECT_EQ(ssd.model.output_shape(in), (Shape{2, 240, 4}));
  EXPECT_THAT(ssd.model.output_shapes(in), ElementsAre(Shape{2, 240, 4}, Shape{2, 240, 3}));
  StepContext ctx;
  const Outputs out = ssd.model.forward_outputs(constant(testing::normal(in, rng)), ctx);
  EXPECT_EQ(out[0].value.shape(), (Shape{2, 240, 4}));
  EXPECT_EQ(out[1].value.shape(), (Shape{2, 240, 3}));
  // A non-square input scales each map on its own axis.
  EXPECT_THAT(ssd.model.feature_map_sizes({1, 3, 9, 20}),
              ElementsAre(Size2{5, 10}, Size2{3, 5}, Size2{2, 3}));
}

TEST(BackboneHeads, NamesBackboneLikeSequentialAndHeadModulesAfterHeadAndMap) {
  Rng rng(3);
  BackboneHeads model;
  model.add(conv(3, 4, 3, rng));                                           // conv2d_1
  model.add(std::make_unique<BatchNormalization>(BatchNormOptions{}, 4));  // batch_normalization_1
  model.add_feature_map("batch_normalization_1", 2);
  model.add(conv(4, 4, 3, rng, 2));  // conv2d_2
  model.add_feature_map("conv2d_2", 1);
  // Map 0: a Sequential (depthwise, batch norm, pointwise); map 1: a named Layer.
  auto block = std::make_unique<Sequential>();
  block->add(std::make_unique<DepthwiseConv2D>(
      DepthwiseConv2DOptions{.kernel_size = {3, 3}, .padding = Padding::same}, 4, rng));
  block->add(std::make_unique<BatchNormalization>(BatchNormOptions{}, 4));
  block->add(conv(4, 8, 1, rng));
  model.add_head("box_encodings", 4,
                 modules(std::move(block), conv(4, 4, 3, rng, 1, Activation::linear, "mine")));
  model.add_head("class_predictions", 4, modules(conv(4, 8, 3, rng), std::make_unique<Scale>()));

  EXPECT_THAT(
      names_of(model.parameters()),
      ElementsAre("conv2d_1/kernel", "conv2d_1/bias", "batch_normalization_1/gamma",
                  "batch_normalization_1/beta", "conv2d_2/kernel", "conv2d_2/bias",
                  "box_encodings/feature_map_0/depthwise_conv2d_1/depthwise_kernel",
                  "box_encodings/feature_map_0/depthwise_conv2d_1/bias",
                  "box_encodings/feature_map_0/batch_normalization_1/gamma",
                  "box_encodings/feature_map_0/batch_normalization_1/beta",
                  "box_encodings/feature_map_0/conv2d_1/kernel",
                  "box_encodings/feature_map_0/conv2d_1/bias", "box_encodings/feature_map_1/kernel",
                  "box_encodings/feature_map_1/bias", "class_predictions/feature_map_0/kernel",
                  "class_predictions/feature_map_0/bias", "class_predictions/feature_map_1/scale"));
  std::vector<std::string> buffers;
  for (const Buffer* b : model.buffers()) buffers.push_back(b->name);
  EXPECT_THAT(
      buffers,
      ElementsAre("batch_normalization_1/moving_mean", "batch_normalization_1/moving_variance",
                  "box_encodings/feature_map_0/batch_normalization_1/moving_mean",
                  "box_encodings/feature_map_0/batch_normalization_1/moving_variance"));
  EXPECT_EQ(model.heads()[0].modules[0]->name(), "box_encodings/feature_map_0");
  EXPECT_EQ(model.heads()[0].modules[1]->name(), "box_encodings/feature_map_1");
  EXPECT_EQ(model.find_parameter("box_encodings/feature_map_1/kernel"),
            &static_cast<Conv2D&>(*model.heads()[0].modules[1]).kernel());
  EXPECT_EQ(model.find_parameter("mine/kernel"), nullptr);
  // The model runs in train mode (batch norms on batch statistics) and in eval mode.
  StepContext train{Mode::train, &rng};
  const Outputs out = model.forward_outputs(constant(testing::normal({2, 3, 6, 5}, rng)), train);
  EXPECT_EQ(out[1].value.shape(), (Shape{2, 6 * 5 * 2 + 3 * 3 * 1, 4}));
}

TEST(BackboneHeads, ActivityRegularizersOfBackboneAndHeadsAddNamedTerms) {
  Rng rng(4);
  SmallSsd ssd(rng);
  Module& backbone_layer = *ssd.model.backbone().layers()[1];  // conv2d_2, feature map 0
  Module& head = *ssd.model.heads()[1].modules[2];             // class_predictions on map 2
  backbone_layer.activity_regularizer = regularize::l2(0.01f);
  head.activity_regularizer = regularize::l1(0.1f);
  const Tensor x = testing::normal({2, 3, 16, 12}, rng);
  std::vector<Term> terms;
  StepContext ctx{Mode::eval, nullptr, &terms};
  ssd.model.forward_outputs(constant(x), ctx);
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_EQ(terms[0].name, "conv2d_2/activity/l2");
  EXPECT_EQ(terms[1].name, "class_predictions/feature_map_2/activity/l1");
  // The values, from the layers called one by one (no regularizer collects there: no ctx terms).
  StepContext plain;
  const auto& layers = ssd.model.backbone().layers();
  Var h2 = (*layers[1])((*layers[0])(constant(x), plain), plain);
  Var h4 = (*layers[3])((*layers[2])(h2, plain), plain);
  EXPECT_NEAR(terms[0].value.item(), 0.01 * sum(square(h2)).item() / 2, 1e-6);
  EXPECT_NEAR(terms[1].value.item(), 0.1 * sum(abs(head(h4, plain))).item() / 2, 1e-5);
}

// Loss = Σ r ⊙ box + Σ r' ⊙ class², through every parameter of the model and the input, with
// the model's own leaves swapped for the checker's.
TEST(BackboneHeads, GradientsMatchFiniteDifferencesThroughTheWholeModel) {
  Rng rng(5);
  BackboneHeads model;
  model.add(conv(2, 3, 3, rng, 1, Activation::tanh));  // conv2d_1 [2,3,5,4]  map 0, A 2
  model.add(std::make_unique<BatchNormalization>(BatchNormOptions{}, 3));
  model.add_feature_map("batch_normalization_1", 2);
  model.add(conv(3, 3, 3, rng, 2, Activation::tanh));  // conv2d_2 [2,3,3,2]  map 1, A 1
  model.add_feature_map("conv2d_2", 1);
  model.add_head("box_encodings", 2, modules(conv(3, 4, 3, rng), conv(3, 2, 3, rng)));
  model.add_head("class_predictions", 3, modules(conv(3, 6, 3, rng), conv(3, 3, 3, rng)));
  std::vector<Parameter*> params = model.parameters();
  auto& bn = static_cast<BatchNormalization&>(*model.backbone().layers()[1]);
  bn.gamma().data().copy_from(testing::uniform({3}, rng, 0.5f, 1.5f));
  bn.beta().data().copy_from(testing::uniform({3}, rng, -0.5f, 0.5f));
  bn.moving_variance().value.copy_from(testing::uniform({3}, rng, 0.5f, 2.f));

  const Shape in{2, 2, 5, 4};
  Rng weights(6);
  const Tensor r_box = testing::uniform({2, 5 * 4 * 2 + 3 * 2, 2}, weights, -1.f, 1.f);
  const Tensor r_cls = testing::uniform({2, 5 * 4 * 2 + 3 * 2, 3}, weights, -1.f, 1.f);
  auto loss = [&](const Var& x) {
    StepContext ctx;
    const Outputs out = model.forward_outputs(x, ctx);
    return sum(out[0].value * constant(r_box)) + sum(square(out[1].value) * constant(r_cls));
  };

  // The forward pass equals the layers composed by hand (the taps are the right layers).
  const Tensor x = testing::normal(in, rng);
  {
    StepContext ctx;
    const auto& layers = model.backbone().layers();
    Var f0 = (*layers[1])((*layers[0])(constant(x), ctx), ctx);
    Var f1 = (*layers[2])(f0, ctx);
    // Head h on both maps, [B, A·V, H, W] → [B, H·W·A, V], concatenated.
    auto head = [&](size_t h, int64_t V) {
      const auto& m = model.heads()[h].modules;
      return concat({reshape(permute((*m[0])(f0, ctx), {0, 2, 3, 1}), {2, -1, V}),
                     reshape(permute((*m[1])(f1, ctx), {0, 2, 3, 1}), {2, -1, V})},
                    1);
    };
    Var want = sum(constant(r_box) * head(0, 2)) + sum(constant(r_cls) * square(head(1, 3)));
    EXPECT_FLOAT_EQ(loss(constant(x)).item(), want.item());
  }

  std::vector<Var> originals;
  std::vector<Tensor> inputs{x};
  for (Parameter* p : params) {
    originals.push_back(p->value);
    inputs.push_back(p->data().clone());
  }
  std::vector<Var> checked;  // the checker's leaves (its first call), to read their gradients
  testing::check_gradients(
      [&](const std::vector<Var>& v) {
        if (checked.empty()) checked = v;
        for (size_t i = 0; i < params.size(); ++i) params[i]->value = v[i + 1];
        return loss(v[0]);
      },
      inputs);
  for (size_t i = 0; i < params.size(); ++i) params[i]->value = originals[i];
  // The checked gradients are not vacuous (every parameter moves the loss), and the model's own
  // leaves receive the same ones.
  backward(loss(constant(x)));
  ASSERT_EQ(checked.size(), params.size() + 1);
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& g = params[i]->value.grad();
    ASSERT_TRUE(g.defined()) << params[i]->name;
    EXPECT_TENSORS_NEAR(g, checked[i + 1].grad(), (Tol{0, 0})) << params[i]->name;
    float m = 0;
    for (float gi : g.span()) m = std::max(m, std::fabs(gi));
    EXPECT_GT(m, 1e-3f) << params[i]->name;
  }
}

TEST(BackboneHeads, UnknownOrMisorderedTapsThrowNamingTheLayers) {
  Rng rng(7);
  BackboneHeads model;
  EXPECT_THAT(error_of([&] { model.add_feature_map("conv2d_1", 3); }),
              HasSubstr("no backbone layer named 'conv2d_1' (the backbone's layers: none)"));
  model.add(conv(3, 4, 3, rng));
  model.add(conv(4, 4, 3, rng, 2));
  EXPECT_THAT(error_of([&] { model.add_feature_map("conv2d_3", 3); }),
              HasSubstr("BackboneHeads::add_feature_map: no backbone layer named 'conv2d_3' "
                        "(the backbone's layers: conv2d_1, conv2d_2)"));
  EXPECT_THAT(error_of([&] { model.add_feature_map("conv2d_1", 0); }),
              HasSubstr("feature map 'conv2d_1' needs anchors_per_location >= 1, got 0"));
  model.add_feature_map("conv2d_2", 3);
  EXPECT_THAT(error_of([&] { model.add_feature_map("conv2d_1", 3); }),
              HasSubstr("'conv2d_1' must come after the last tapped layer 'conv2d_2'"));
  EXPECT_THAT(error_of([&] { model.add_feature_map("conv2d_2", 3); }),
              HasSubstr("'conv2d_2' must come after the last tapped layer 'conv2d_2'"));
  EXPECT_EQ(model.feature_maps().size(), 1u);
  // Incomplete models are refused by forward and output_shape.
  StepContext ctx;
  EXPECT_THAT(error_of([&] {
                model.output_shape({1, 3, 8, 8});
              }),
              HasSubstr("BackboneHeads::output_shape: the model has no head (add_head)"));
  model.add(conv(4, 4, 3, rng));  // conv2d_3, after the last tap
  model.add_head("box_encodings", 4, modules(conv(4, 12, 3, rng)));
  EXPECT_THAT(error_of([&] {
                model.forward(constant(Tensor::zeros({1, 3, 8, 8})), ctx);
              }),
              HasSubstr("BackboneHeads::forward: backbone layer 'conv2d_3' comes after the last "
                        "feature map 'conv2d_2' and would feed nothing"));
  // Once a head exists, the backbone and its taps are closed.
  EXPECT_THAT(error_of([&] { model.add(conv(4, 4, 3, rng)); }),
              HasSubstr("BackboneHeads::add: head 'box_encodings' is already added"));
  EXPECT_THAT(error_of([&] { model.add_feature_map("conv2d_3", 3); }),
              HasSubstr("head 'box_encodings' is already added; add the feature maps before "
                        "the heads"));
}

TEST(BackboneHeads, BadHeadsThrowNamingHeadAndMap) {
  Rng rng(8);
  BackboneHeads model;
  EXPECT_THAT(error_of([&] { model.add_head("box_encodings", 4, {}); }),
              HasSubstr("'box_encodings': the model has no feature map"));
  model.add(conv(3, 4, 3, rng));
  model.add_feature_map("conv2d_1", 3);
  model.add(conv(4, 4, 3, rng, 2));
  model.add_feature_map("conv2d_2", 2);
  EXPECT_THAT(error_of([&] { model.add_head("box_encodings", 4, modules(conv(4, 12, 3, rng))); }),
              HasSubstr("'box_encodings': expected one module per feature map (2), got 1"));
  EXPECT_THAT(error_of([&] { model.add_head("box/encodings", 4, {}); }),
              HasSubstr("a head name must be non-empty and without '/', got 'box/encodings'"));
  EXPECT_THAT(error_of([&] { model.add_head("box_encodings", 0, {}); }),
              HasSubstr("values_per_anchor must be >= 1, got 0"));
  // Wrong filter count on map 1 (A·V = 8, got 6), found by output_shape and by forward.
  model.add_head("box_encodings", 4, modules(conv(4, 12, 3, rng), conv(4, 6, 3, rng)));
  EXPECT_THAT(error_of([&] { model.add_head("box_encodings", 4, {}); }),
              HasSubstr("'box_encodings': a head with that name is already in the model"));
  const std::string want =
      "BackboneHeads: head 'box_encodings' on feature map 1 ('conv2d_2', [2,4,4,3]): expected "
      "[B, A·V, H, W] = [2,8,4,3] (A = 2 anchors per location, V = 4 values per anchor), got "
      "[2,6,4,3]";
  EXPECT_THAT(error_of([&] { model.output_shape({2, 3, 8, 6}); }), HasSubstr(want));
  StepContext ctx;
  EXPECT_THAT(error_of([&] {
                model.forward_outputs(constant(Tensor::zeros({2, 3, 8, 6})), ctx);
              }),
              HasSubstr(want));
}

TEST(BackboneHeads, HeadThatChangesTheBatchOrSpatialSizeThrows) {
  Rng rng(9);
  BackboneHeads model;
  model.add(conv(3, 4, 3, rng));
  model.add_feature_map("conv2d_1", 1);
  model.add_head("box_encodings", 4, modules(std::make_unique<DropFirstImage>()));
  StepContext ctx;
  EXPECT_THAT(error_of([&] {
                model.forward(constant(Tensor::zeros({3, 3, 5, 5})), ctx);
              }),
              HasSubstr("head 'box_encodings' on feature map 0 ('conv2d_1', [3,4,5,5]): expected "
                        "[B, A·V, H, W] = [3,4,5,5] (A = 1 anchors per location, V = 4 values per "
                        "anchor), got [2,4,5,5]"));
  EXPECT_THAT(error_of([&] { model.output_shapes({3, 3, 5, 5}); }), HasSubstr("got [2,4,5,5]"));
  // A "valid" 3×3 head shrinks the map, so its anchors would not be the map's.
  BackboneHeads valid;
  valid.add(conv(3, 4, 3, rng));
  valid.add_feature_map("conv2d_1", 1);
  valid.add_head("class_predictions", 2,
                 modules(std::make_unique<Conv2D>(
                     Conv2DOptions{.filters = 2, .kernel_size = {3, 3}}, 4, rng)));
  EXPECT_THAT(error_of([&] {
                valid.output_shapes({1, 3, 5, 5});
              }),
              HasSubstr("head 'class_predictions' on feature map 0 ('conv2d_1', [1,4,5,5]): "
                        "expected [B, A·V, H, W] = [1,2,5,5]"));
}

TEST(BackboneHeads, ParameterNameClashThrows) {
  Rng rng(10);
  BackboneHeads model;
  model.add(conv(3, 4, 3, rng, 1, Activation::linear, "box_encodings/feature_map_0"));
  model.add_feature_map("box_encodings/feature_map_0", 1);
  EXPECT_THAT(error_of([&] { model.add_head("box_encodings", 4, modules(conv(4, 4, 3, rng))); }),
              HasSubstr("BackboneHeads::add_head 'box_encodings': parameter "
                        "'box_encodings/feature_map_0/kernel' is already in the model"));
  EXPECT_TRUE(model.heads().empty());
  std::vector<std::unique_ptr<Module>> null_module(1);
  EXPECT_THAT(error_of([&] { model.add_head("class_predictions", 4, std::move(null_module)); }),
              HasSubstr("'class_predictions': the module for feature map 0 is null"));
}

}  // namespace
}  // namespace occam::nn
