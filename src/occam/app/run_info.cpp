#include "occam/app/run_info.h"

#include <charconv>

#include "occam/config/build.h"
#include "occam/regularize/equivalence.h"

namespace occam::app {

using nlohmann::json;

namespace {

// The shortest decimal that reads back as v: 1e-4f is written 0.0001, not 0.0000999999974737875.
double as_decimal(float v) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  return std::stod(std::string(buf, end));
}

std::string layout_name(regularize::Layout l) {
  switch (l) {
    case regularize::Layout::dense_kernel:
      return "dense_kernel [in,out]: one unit per output column";
    case regularize::Layout::conv_kernel:
      return "conv_kernel [O,I,H,W]: one unit per filter";
    case regularize::Layout::vector:
      return "vector";
  }
  return "?";
}

json equivalents_of(const regularize::Regularizer& r, regularize::Convention convention,
                    regularize::UpdateRule rule) {
  json out = json::array();
  for (const auto& [name, value] : r.coefficients()) {
    if (name != "l2" || value == 0.f) continue;
    for (const auto& e : regularize::l2_equivalents(as_decimal(value), convention, rule))
      out.push_back(
          {{"target", e.target}, {"exists", e.exists}, {"value", e.value}, {"note", e.note}});
  }
  return out;
}

json coefficients_of(const regularize::Regularizer& r) {
  json out = json::object();
  for (const auto& [name, value] : r.coefficients()) out[name] = as_decimal(value);
  return out;
}

// One entry of "terms", in the objective's order, from the term itself.
json term_json(const nn::Term& t, regularize::Convention convention, regularize::UpdateRule rule) {
  if (!t.regularizer) return {{"name", t.name}, {"kind", "data"}, {"formula", t.formula}};
  json j = {{"name", t.name},
            {"kind", "regularization"},
            {"penalty", t.regularizer->kind()},
            {"source", t.source},
            {"applies_to", t.applies_to},
            {"formula", t.formula},
            {"coefficients", coefficients_of(*t.regularizer)}};
  if (t.applies_to == "parameter") {
    j["size"] = t.size;
    j["equivalents"] = equivalents_of(*t.regularizer, convention, rule);
  } else {
    j["divisor"] =
        "the batch size of each step (Keras >= 3.14 and tf.keras divide; Keras 3.0-3.13 did not)";
  }
  return j;
}

json optimizer_json(const config::RunConfig& config, const optim::Optimizer& optimizer) {
  const optim::WeightDecay wd = optimizer.describe_weight_decay();
  const char* kinds[] = {"none", "coupled", "decoupled"};
  return {{"name", optimizer.name()},
          {"lr", as_decimal(config::base_lr(config.schedule))},
          {"schedule", optim::make_schedule(config.schedule)->formula()},
          {"weight_decay",
           {{"kind", kinds[int(wd.kind)]},
            {"coefficient", as_decimal(wd.coefficient)},
            {"scaled_by_lr", wd.scaled_by_lr},
            {"formula", wd.formula}}}};
}

json parameters_json(nn::Sequential& model) {
  json params = json::array();
  for (nn::Parameter* p : model.parameters()) {
    json pj = {{"name", p->name},
               {"shape", p->data().shape()},
               {"size", p->numel()},
               {"trainable", p->trainable},
               {"layout", layout_name(p->layout)}};
    if (p->regularizer) pj["regularizer"] = p->regularizer->formula();
    if (p->constraint) pj["constraint"] = p->constraint->describe();
    params.push_back(pj);
  }
  return params;
}

json layers_json(nn::Sequential& model) {
  json layers = json::array();
  const auto& mods = model.layers();
  for (size_t i = 0; i < mods.size(); ++i) {
    json lj = {{"name", mods[i]->name()}, {"type", std::string(mods[i]->type_name())}};
    // Is the next layer with parameters a normalization? Then this layer's kernel is
    // scale-invariant: its L2 term shrinks the norm without changing the function.
    for (size_t k = i + 1; k < mods.size(); ++k) {
      if (mods[k]->normalizes()) {
        lj["followed_by_batch_norm"] = mods[k]->name();
        break;
      }
      if (!mods[k]->parameters().empty()) break;
    }
    if (const auto& r = mods[i]->activity_regularizer) lj["activity_regularizer"] = r->formula();
    if (mods[i]->train_only_noise()) lj["train_only_noise"] = true;
    layers.push_back(lj);
  }
  return layers;
}

}  // namespace

json describe_run(const config::RunConfig& config, nn::Sequential& model,
                  const optim::Optimizer& optimizer, const data::Splits& data,
                  const train::StepResult& first_step) {
  json j;
  j["format"] = "occam-run/1";
  j["name"] = config.name;
  j["config_source"] = config.source;
  j["seed"] = config.seed;
  j["threads"] = config.threads;
  j["convention"] = std::string(regularize::to_string(config.convention));
  j["batch_size"] = config.training.batch_size;
  j["epochs"] = config.training.epochs;
  j["data"] = {{"train", data.train->size()},
               {"validation", data.validation->size()},
               {"test", data.test->size()}};
  j["optimizer"] = optimizer_json(config, optimizer);
  const auto rule = config::update_rule(config.optimizer);
  json terms = json::array();
  for (const auto& t : first_step.data) terms.push_back(term_json(t, config.convention, rule));
  for (const auto& t : first_step.regularization)
    terms.push_back(term_json(t, config.convention, rule));
  json frozen = json::array();
  for (const auto& name : first_step.frozen_regularized) {
    const nn::Parameter* p = model.find_parameter(name);
    frozen.push_back(
        {{"parameter", name}, {"formula", p && p->regularizer ? p->regularizer->formula() : ""}});
  }
  j["terms"] = terms;
  j["parameters"] = parameters_json(model);
  j["frozen_regularized"] = frozen;
  j["layers"] = layers_json(model);
  j["fused_regularizers"] = config.training.fused_regularizers;
  j["logging"] = {{"every_steps", config.logging.every_steps}};
  return j;
}

}  // namespace occam::app
