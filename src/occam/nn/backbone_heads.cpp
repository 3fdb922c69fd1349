#include "occam/nn/backbone_heads.h"

#include <set>

#include "occam/autograd/ops.h"
#include "occam/nn/layer.h"

namespace occam::nn {

namespace {

// Names a head module `name` and its parameters and buffers after it (the scheme in the header).
void place(Module& module, const std::string& name) {
  if (auto* layer = dynamic_cast<Layer*>(&module)) {
    layer->rename(name);
  } else if (auto* seq = dynamic_cast<Sequential*>(&module)) {
    seq->set_name(name);
    for (const auto& inner : seq->layers()) place(*inner, name + "/" + inner->name());
  } else {
    module.set_name(name);
    for (Parameter* p : module.parameters()) p->name = name + "/" + p->name;
    for (Buffer* b : module.buffers()) b->name = name + "/" + b->name;
  }
}

std::string layer_names(const Sequential& backbone) {
  std::string names;
  for (const auto& layer : backbone.layers()) names += (names.empty() ? "" : ", ") + layer->name();
  return names.empty() ? "none" : names;
}

}  // namespace

Module& BackboneHeads::add(std::unique_ptr<Module> layer) {
  OCCAM_CHECK(heads_.empty(), "BackboneHeads::add: head '", heads_.front().name,
              "' is already added; add the backbone layers and feature maps before the heads");
  return backbone_.add(std::move(layer));
}

void BackboneHeads::add_feature_map(const std::string& layer, int64_t anchors_per_location) {
  OCCAM_CHECK(heads_.empty(), "BackboneHeads::add_feature_map: head '", heads_.front().name,
              "' is already added; add the feature maps before the heads");
  const auto& layers = backbone_.layers();
  size_t index = 0;
  while (index < layers.size() && layers[index]->name() != layer) ++index;
  OCCAM_CHECK(index < layers.size(), "BackboneHeads::add_feature_map: no backbone layer named '",
              layer, "' (the backbone's layers: ", layer_names(backbone_), ")");
  OCCAM_CHECK(anchors_per_location >= 1, "BackboneHeads::add_feature_map: feature map '", layer,
              "' needs anchors_per_location >= 1, got ", anchors_per_location);
  OCCAM_CHECK(feature_maps_.empty() || index > feature_maps_.back().layer_index,
              "BackboneHeads::add_feature_map: '", layer,
              "' must come after the last tapped layer '", feature_maps_.back().layer,
              "' in the backbone (feature maps follow the backbone's order)");
  feature_maps_.push_back({layer, anchors_per_location, index});
}

void BackboneHeads::add_head(const std::string& name, int64_t values_per_anchor,
                             std::vector<std::unique_ptr<Module>> modules) {
  const std::string who = "BackboneHeads::add_head '" + name + "': ";
  OCCAM_CHECK(!name.empty() && name.find('/') == std::string::npos,
              "BackboneHeads::add_head: a head name must be non-empty and without '/', got '", name,
              "'");
  for (const Head& head : heads_)
    OCCAM_CHECK(head.name != name, who, "a head with that name is already in the model");
  OCCAM_CHECK(values_per_anchor >= 1, who, "values_per_anchor must be >= 1, got ",
              values_per_anchor);
  OCCAM_CHECK(!feature_maps_.empty(), who, "the model has no feature map; add them first");
  OCCAM_CHECK(modules.size() == feature_maps_.size(), who, "expected one module per feature map (",
              feature_maps_.size(), "), got ", modules.size());
  for (size_t l = 0; l < modules.size(); ++l) {
    OCCAM_CHECK(modules[l] != nullptr, who, "the module for feature map ", l, " is null");
    place(*modules[l], name + "/feature_map_" + std::to_string(l));
  }
  // Every name once: the model's so far, then the new ones one by one.
  std::set<std::string> names;
  for (Parameter* p : parameters()) names.insert(p->name);
  for (Buffer* b : buffers()) names.insert(b->name);
  for (const auto& module : modules) {
    for (Parameter* p : module->parameters())
      OCCAM_CHECK(names.insert(p->name).second, who, "parameter '", p->name,
                  "' is already in the model");
    for (Buffer* b : module->buffers())
      OCCAM_CHECK(names.insert(b->name).second, who, "buffer '", b->name,
                  "' is already in the model");
  }
  heads_.push_back({name, values_per_anchor, std::move(modules)});
}

void BackboneHeads::check_complete(std::string_view who) const {
  OCCAM_CHECK(!feature_maps_.empty(), who, ": the model has no feature map (add_feature_map)");
  OCCAM_CHECK(!heads_.empty(), who, ": the model has no head (add_head)");
  const size_t last = feature_maps_.back().layer_index;
  OCCAM_CHECK(last + 1 == backbone_.layers().size(), who, ": backbone layer '",
              backbone_.layers()[last + 1]->name(), "' comes after the last feature map '",
              feature_maps_.back().layer, "' and would feed nothing");
}

void BackboneHeads::check_head_output(size_t h, size_t l, const Shape& got, int64_t batch,
                                      const Shape& feature) const {
  const Head& head = heads_[h];
  const FeatureMap& map = feature_maps_[l];
  const Shape want{batch, map.anchors_per_location * head.values_per_anchor, feature[2],
                   feature[3]};
  OCCAM_CHECK(got == want, "BackboneHeads: head '", head.name, "' on feature map ", l, " ('",
              map.layer, "', ", shape_str(feature),
              "): expected [B, A·V, H, W] = ", shape_str(want), " (A = ", map.anchors_per_location,
              " anchors per location, V = ", head.values_per_anchor, " values per anchor), got ",
              shape_str(got));
}

std::vector<Shape> BackboneHeads::feature_map_shapes(const Shape& in) const {
  check_complete("BackboneHeads::output_shape");
  std::vector<Shape> shapes;
  Shape shape = in;
  const auto& layers = backbone_.layers();
  size_t next = 0;  // the next feature map
  for (size_t i = 0; i < layers.size(); ++i) {
    shape = layers[i]->output_shape(shape);
    if (next < feature_maps_.size() && feature_maps_[next].layer_index == i) {
      OCCAM_CHECK(shape.size() == 4, "BackboneHeads: feature map ", next, " ('", layers[i]->name(),
                  "') must be [B, C, H, W], got ", shape_str(shape));
      shapes.push_back(shape);
      ++next;
    }
  }
  return shapes;
}

std::vector<Shape> BackboneHeads::output_shapes(const Shape& in) const {
  const std::vector<Shape> features = feature_map_shapes(in);
  std::vector<Shape> shapes;
  for (size_t h = 0; h < heads_.size(); ++h) {
    int64_t anchors = 0;
    for (size_t l = 0; l < features.size(); ++l) {
      check_head_output(h, l, heads_[h].modules[l]->output_shape(features[l]), in.at(0),
                        features[l]);
      anchors += features[l][2] * features[l][3] * feature_maps_[l].anchors_per_location;
    }
    shapes.push_back({in[0], anchors, heads_[h].values_per_anchor});
  }
  return shapes;
}

Shape BackboneHeads::output_shape(const Shape& in) const { return output_shapes(in).front(); }

std::vector<Size2> BackboneHeads::feature_map_sizes(const Shape& in) const {
  std::vector<Size2> sizes;
  for (const Shape& s : feature_map_shapes(in)) sizes.push_back({s[2], s[3]});
  return sizes;
}

int64_t BackboneHeads::num_anchors(const Shape& in) const { return output_shape(in)[1]; }

Outputs BackboneHeads::run(const Var& x, StepContext& ctx, size_t n_heads) {
  check_complete("BackboneHeads::forward");
  OCCAM_CHECK(x.rank() >= 1, "BackboneHeads::forward: expected x [B, ...], got ",
              shape_str(x.shape()));
  const int64_t batch = x.dim(0);
  std::vector<Var> features;
  Var y = x;
  const auto& layers = backbone_.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    y = (*layers[i])(y, ctx);
    if (features.size() < feature_maps_.size() && feature_maps_[features.size()].layer_index == i) {
      OCCAM_CHECK(y.rank() == 4, "BackboneHeads: feature map ", features.size(), " ('",
                  layers[i]->name(), "') must be [B, C, H, W], got ", shape_str(y.shape()));
      features.push_back(y);
    }
  }
  Outputs outputs;
  for (size_t h = 0; h < n_heads; ++h) {
    const Head& head = heads_[h];
    std::vector<Var> parts;
    for (size_t l = 0; l < features.size(); ++l) {
      Var p = (*head.modules[l])(features[l], ctx);
      check_head_output(h, l, p.shape(), batch, features[l].shape());
      // [B, A·V, H, W] → [B, H, W, A·V] → [B, H·W·A, V]: location-major, then anchor.
      p = permute(p, {0, 2, 3, 1});
      parts.push_back(reshape(p, {batch, -1, head.values_per_anchor}));
    }
    outputs.push_back({head.name, parts.size() == 1 ? parts[0] : concat(parts, 1)});
  }
  return outputs;
}

Outputs BackboneHeads::forward_outputs(const Var& x, StepContext& ctx) {
  return run(x, ctx, heads_.size());
}

Var BackboneHeads::forward(const Var& x, StepContext& ctx) { return run(x, ctx, 1).front().value; }

std::vector<Parameter*> BackboneHeads::parameters() {
  std::vector<Parameter*> all = backbone_.parameters();
  for (const Head& head : heads_)
    for (const auto& module : head.modules)
      for (Parameter* p : module->parameters()) all.push_back(p);
  return all;
}

std::vector<Buffer*> BackboneHeads::buffers() {
  std::vector<Buffer*> all = backbone_.buffers();
  for (const Head& head : heads_)
    for (const auto& module : head.modules)
      for (Buffer* b : module->buffers()) all.push_back(b);
  return all;
}

Parameter* BackboneHeads::find_parameter(std::string_view name) {
  for (Parameter* p : parameters())
    if (p->name == name) return p;
  return nullptr;
}

}  // namespace occam::nn
