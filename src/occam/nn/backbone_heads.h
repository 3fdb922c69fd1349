// BackboneHeads: the network of a single-shot detector (SSD). A backbone — layers in order, as
// in Sequential — from which named layers are tapped as feature maps, and named heads
// ("box_encodings", "class_predictions"), each with one module per feature map.
//
// Head with V values per anchor, on feature map l (A_l anchors per location, H_l × W_l):
//   module output [B, A_l·V, H_l, W_l] → permute to NHWC [B, H_l, W_l, A_l·V]
//   → reshape [B, H_l·W_l·A_l, V];   the maps concatenated on axis 1 → [B, ΣA, V],
//   ΣA = Σ_l H_l·W_l·A_l.
// So anchor n = offset_l + (y·W_l + x)·A_l + a (location-major: row y, then column x, then the
// anchor a at that location), and its value v is channel a·V + v of the module's output at
// (y, x). This is the order of the TF OD API (its anchor grid: box spec fastest, then x, then y,
// then layer; SPEC-detection §1) and of torchvision's SSD head; anchors must be generated in it.
//
// Names. Backbone layers are named as in Sequential ("conv2d_1", parameters "conv2d_1/kernel").
// The module of head h on feature map l is named "<h>/feature_map_<l>" (l from 0, in tapping
// order), and its parameters and buffers after it:
//   a Layer                  "box_encodings/feature_map_0/kernel"        (Layer::rename; a
//                            name the caller gave the layer is replaced)
//   a Sequential             "box_encodings/feature_map_0/conv2d_1/kernel" (each of its layers
//                            renamed "<h>/feature_map_<l>/<its name>", recursively)
//   any other Module         "<h>/feature_map_<l>/" + its own parameter names
// Activity terms follow the module names ("box_encodings/feature_map_0/activity/l2"). A
// parameter or buffer name that is already in the model throws.
//
// Build order: backbone layers and feature-map taps (interleaved as you like; taps follow the
// backbone's order), then heads. Every backbone layer must feed a feature map: a layer after the
// last tapped one would be trained by nothing, and forward/output_shape reject it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "occam/autograd/nn_ops.h"
#include "occam/nn/module.h"
#include "occam/nn/sequential.h"

namespace occam::nn {

class BackboneHeads final : public Module {
 public:
  struct FeatureMap {
    std::string layer;             // the backbone layer whose output is tapped
    int64_t anchors_per_location;  // A_l
    size_t layer_index;            // its position in the backbone
  };
  struct Head {
    std::string name;                              // also the name of its output
    int64_t values_per_anchor;                     // V
    std::vector<std::unique_ptr<Module>> modules;  // one per feature map, in tapping order
  };

  BackboneHeads() = default;
  BackboneHeads(const BackboneHeads&) = delete;
  BackboneHeads& operator=(const BackboneHeads&) = delete;

  // Appends a backbone layer and returns it (Sequential::add's naming rules). Throws once a head
  // has been added, or when one of its parameter names is already in the backbone.
  Module& add(std::unique_ptr<Module> layer);

  // Taps the output ([B, C, H, W]) of backbone layer `layer` as the next feature map, with
  // anchors_per_location >= 1 anchors at each of its H·W positions. Throws when no backbone
  // layer has that name (listing those there are), when the layer is not after the previously
  // tapped one, or once a head has been added.
  void add_feature_map(const std::string& layer, int64_t anchors_per_location);

  // Adds head `name` (non-empty, no '/', not already a head) with values_per_anchor >= 1 values
  // per anchor; modules[l] reads feature map l and must give [B, A_l·V, H_l, W_l] (the map's own
  // batch and spatial size: typically a 3×3 "same" convolution with A_l·V filters). Names the
  // modules as above; throws unless there is one module per feature map, or on a name clash.
  void add_head(const std::string& name, int64_t values_per_anchor,
                std::vector<std::unique_ptr<Module>> modules);

  // Every head's output {name, [B, ΣA, V]} in the order the heads were added. The backbone runs
  // once; every module is called through Module::operator(), so activity regularizers apply.
  // (This model's own activity_regularizer, if set, applies only through operator()/forward.)
  Outputs forward_outputs(const Var& x, StepContext& ctx) override;
  // The first head's output (the other heads are not computed).
  Var forward(const Var& x, StepContext& ctx) override;

  // Backbone (layer order), then the heads in order, each head's feature maps in order.
  std::vector<Parameter*> parameters() override;
  std::vector<Buffer*> buffers() override;

  // Validate the input shape [B, ...] through the whole model (module output_shape calls).
  Shape output_shape(const Shape& in) const override;       // the first head's [B, ΣA, V]
  std::vector<Shape> output_shapes(const Shape& in) const;  // every head's, in order
  // {H_l, W_l} of each feature map, in order — the grids the anchors are laid on.
  std::vector<Size2> feature_map_sizes(const Shape& in) const;
  int64_t num_anchors(const Shape& in) const;  // ΣA = Σ_l H_l·W_l·A_l

  Parameter* find_parameter(std::string_view name);  // null when no parameter has that name
  Sequential& backbone() { return backbone_; }
  const std::vector<FeatureMap>& feature_maps() const { return feature_maps_; }
  const std::vector<Head>& heads() const { return heads_; }

 private:
  // The first n_heads heads' outputs.
  Outputs run(const Var& x, StepContext& ctx, size_t n_heads);
  // Throws unless the model is complete: a backbone, a feature map, a head, no unused layer.
  void check_complete(std::string_view who) const;
  // Every feature map's shape for input `in`, through the backbone's output_shape.
  std::vector<Shape> feature_map_shapes(const Shape& in) const;
  // Throws unless head h's module on map l gave `got` = [B, A_l·V, H, W].
  void check_head_output(size_t h, size_t l, const Shape& got, int64_t batch,
                         const Shape& feature) const;

  Sequential backbone_;
  std::vector<FeatureMap> feature_maps_;
  std::vector<Head> heads_;
};

}  // namespace occam::nn
