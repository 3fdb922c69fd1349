// Sequential: layers applied in order, y = f_k(… f_2(f_1(x))). Each layer is called through
// Module::operator(), so its activity regularizer (if any) adds a term to ctx.activity_terms.
// Layer names are unique: add() names an unnamed Layer "<type>_<k>" with the smallest free
// k >= 1 ("dense_1", "dense_2", "conv2d_1") and renames its parameters to match
// ("dense_2/kernel"); an explicit name that is already taken throws.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "occam/nn/module.h"

namespace occam::nn {

class Sequential final : public Module {
 public:
  Sequential() = default;
  Sequential(const Sequential&) = delete;
  Sequential& operator=(const Sequential&) = delete;

  // Appends a module and returns it. An unnamed module must be a Layer (nn/layer.h), since its
  // name comes from its type; a parameter name already in the model throws.
  Module& add(std::unique_ptr<Module> module);

  Var forward(const Var& x, StepContext& ctx) override;
  std::vector<Parameter*> parameters() override;       // in layer order
  std::vector<Buffer*> buffers() override;             // in layer order
  Shape output_shape(const Shape& in) const override;  // chains the layers' output_shape

  Parameter* find_parameter(std::string_view name);  // null when no parameter has that name
  Module* find_layer(std::string_view name);         // null when no layer has that name
  const std::vector<std::unique_ptr<Module>>& layers() const { return layers_; }

 private:
  std::vector<std::unique_ptr<Module>> layers_;
};

}  // namespace occam::nn
