#include "occam/nn/module.h"

#include "occam/autograd/ops.h"
#include "occam/regularize/gradient_norm.h"

namespace occam::nn {

const Var& output(const Outputs& outputs, std::string_view name) {
  std::string names;
  for (const auto& o : outputs) {
    if (o.name == name) return o.value;
    names += (names.empty() ? "" : ", ") + o.name;
  }
  throw Error("model has no output named " + std::string(name) + " (its outputs: " + names + ")");
}

Var Module::operator()(const Var& x, StepContext& ctx) {
  Var y = forward(x, ctx);
  if (activity_regularizer && ctx.activity_terms) {
    // Keras Layer.__call__: loss = regularizer(output) / output.shape[0] when rank >= 1.
    const float batch = y.rank() >= 1 ? float(y.dim(0)) : 1.f;
    Var penalty = activity_regularizer->penalty(y);
    if (batch > 0) penalty = scale(penalty, 1.f / batch);
    ctx.activity_terms->push_back(
        Term{name_ + "/activity/" + activity_regularizer->kind(), penalty, name_ + "/output",
             regularize::activity_formula(*activity_regularizer), y.numel(), batch, -1,
             activity_regularizer.get(), "activity"});
    if (ctx.measure_grad_norms)
      ctx.activity_terms->back().grad_norm =
          regularize::penalty_gradient_norm(*activity_regularizer, y.value()) / batch;
  }
  return y;
}

}  // namespace occam::nn
