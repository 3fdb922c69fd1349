#include "occam/nn/sequential.h"

#include <string>

#include "occam/nn/layer.h"

namespace occam::nn {

Module& Sequential::add(std::unique_ptr<Module> module) {
  OCCAM_CHECK(module != nullptr, "Sequential::add: got a null module");
  if (module->name().empty()) {
    // The automatic name needs a type name, which only Layer has (Module has none).
    auto* layer = dynamic_cast<Layer*>(module.get());
    OCCAM_CHECK(layer != nullptr, "Sequential::add: layer ", layers_.size() + 1,
                " has no name and is not an occam::nn::Layer; give it one with set_name()");
    const std::string base(layer->type_name());
    int k = 1;
    while (find_layer(base + "_" + std::to_string(k))) ++k;
    layer->rename(base + "_" + std::to_string(k));
  } else {
    OCCAM_CHECK(find_layer(module->name()) == nullptr, "Sequential::add: a layer named '",
                module->name(), "' is already in the model; layer names must be unique");
  }
  for (Parameter* p : module->parameters())
    OCCAM_CHECK(find_parameter(p->name) == nullptr, "Sequential::add: parameter '", p->name,
                "' of layer '", module->name(), "' is already in the model");
  layers_.push_back(std::move(module));
  return *layers_.back();
}

Var Sequential::forward(const Var& x, StepContext& ctx) {
  Var y = x;
  for (auto& layer : layers_) y = (*layer)(y, ctx);
  return y;
}

std::vector<Parameter*> Sequential::parameters() {
  std::vector<Parameter*> all;
  for (auto& layer : layers_)
    for (Parameter* p : layer->parameters()) all.push_back(p);
  return all;
}

std::vector<Buffer*> Sequential::buffers() {
  std::vector<Buffer*> all;
  for (auto& layer : layers_)
    for (Buffer* b : layer->buffers()) all.push_back(b);
  return all;
}

Shape Sequential::output_shape(const Shape& in) const {
  Shape shape = in;
  for (const auto& layer : layers_) shape = layer->output_shape(shape);
  return shape;
}

Parameter* Sequential::find_parameter(std::string_view name) {
  for (Parameter* p : parameters())
    if (p->name == name) return p;
  return nullptr;
}

Module* Sequential::find_layer(std::string_view name) {
  for (auto& layer : layers_)
    if (layer->name() == name) return layer.get();
  return nullptr;
}

}  // namespace occam::nn
