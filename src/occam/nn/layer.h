// Layer: a Module with a Keras type name ("dense"), from which Sequential makes its unique name
// ("dense_1"), and whose parameters and buffers are named "<layer name>/<what>"
// ("dense_1/kernel", "batch_normalization_1/moving_mean").
// A layer is built from an options struct (Keras's arguments and defaults, except where its
// header says otherwise: BatchNormalization follows torch by default), the one input size its
// parameters depend on (Dense: in_features; Conv2D: in_channels; BatchNormalization: channels), and
// an Rng& when it draws initial weights. The batch and spatial sizes are read from x at each call;
// output_shape() takes whole shapes, batch first. Layers are neither copyable nor movable: their
// parameters are leaves of the tape, and a model refers to them by address.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "occam/nn/module.h"

namespace occam::nn {

// What a layer's options attach to its parameters and its output, as Keras' constructor
// arguments do (kernel_regularizer=, bias_constraint=, activity_regularizer=, trainable=):
// regularizers and constraints by parameter role ("kernel", "bias", "gamma", "beta",
// "depthwise_kernel"), each cloned into the parameter when the layer is built.
//   nn::DenseOptions o{.units = 10};
//   o.attach.regularizers = {{"kernel", regularize::l2(1e-4f)}};
struct Attachments {
  std::vector<std::pair<std::string, std::shared_ptr<const regularize::Regularizer>>> regularizers;
  std::vector<std::pair<std::string, std::shared_ptr<const regularize::Constraint>>> constraints;
  std::shared_ptr<const regularize::Regularizer> activity;  // on the layer's output, ÷ batch size
  bool trainable = true;  // false: every parameter frozen (its regularizer then adds no term)
};

class Layer : public Module {
 public:
  Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // The Keras base name: "dense", "conv2d", "max_pooling2d", ...
  std::string_view type_name() const override = 0;

  // Sets the name and renames every parameter and buffer "<name>/<what>". Use this, not
  // Module::set_name, once the layer has parameters.
  void rename(const std::string& name);

  // Clones each regularizer and constraint into the parameter of that role, sets the activity
  // regularizer and trainable. Throws naming the layer and the role when it has no such parameter.
  void attach(const Attachments& attachments);

  // The layer in messages: its name, or its type name while it has none.
  std::string label() const { return name_.empty() ? std::string(type_name()) : name_; }

 protected:
  // "<name>/<what>", or "<what>" while the layer has no name.
  std::string scoped(std::string_view what) const;
};

}  // namespace occam::nn
