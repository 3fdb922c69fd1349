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

#include <string>
#include <string_view>

#include "occam/nn/module.h"

namespace occam::nn {

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

  // The layer in messages: its name, or its type name while it has none.
  std::string label() const { return name_.empty() ? std::string(type_name()) : name_; }

 protected:
  // "<name>/<what>", or "<what>" while the layer has no name.
  std::string scoped(std::string_view what) const;
};

}  // namespace occam::nn
