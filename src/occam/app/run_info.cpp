#include "occam/app/run_info.h"

#include <charconv>

#include "occam/config/build.h"
#include "occam/nn/layer.h"
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
    case regularize::Layout::dense_kernel: return "dense_kernel [in,out]: one unit per output column";
    case regularize::Layout::conv_kernel: return "conv_kernel [O,I,H,W]: one unit per filter";
    case regularize::Layout::vector: return "vector";
  }
  return "?";
}

json equivalents_of(const regularize::Regularizer& r, regularize::Convention convention,
                    regularize::UpdateRule rule) {
  json out = json::array();
  const auto* l1l2 = dynamic_cast<const regularize::L1L2*>(&r);
  if (!l1l2 || l1l2->l2() == 0.f) return out;
  for (const auto& e : regularize::l2_equivalents(as_decimal(l1l2->l2()), convention, rule))
    out.push_back({{"target", e.target}, {"exists", e.exists}, {"value", e.value}, {"note", e.note}});
  return out;
}

json coefficients_of(const regularize::Regularizer& r) {
  if (const auto* l = dynamic_cast<const regularize::L1L2*>(&r)) return {{"l1", as_decimal(l->l1())}, {"l2", as_decimal(l->l2())}};
  return json::object();
}

}  // namespace

json describe_run(const config::RunConfig& config, nn::Sequential& model, const optim::Optimizer& optimizer,
                  int64_t train_size, int64_t val_size, int64_t test_size) {
  json j;
  j["format"] = "occam-run/1";
  j["name"] = config.name;
  j["config_source"] = config.source;
  j["seed"] = config.seed;
  j["threads"] = config.threads;
  j["convention"] = std::string(regularize::to_string(config.convention));
  j["batch_size"] = config.training.batch_size;
  j["epochs"] = config.training.epochs;
  j["data"] = {{"train", train_size}, {"validation", val_size}, {"test", test_size}};
  const auto rule = config::update_rule(config.optimizer);

  const optim::WeightDecay wd = optimizer.describe_weight_decay();
  const char* kinds[] = {"none", "coupled", "decoupled"};
  j["optimizer"] = {{"name", optimizer.name()},
                    {"lr", as_decimal(config::base_lr(config.schedule))},
                    {"schedule", optim::make_schedule(config.schedule)->formula()},
                    {"weight_decay",
                     {{"kind", kinds[int(wd.kind)]},
                      {"coefficient", as_decimal(wd.coefficient)},
                      {"scaled_by_lr", wd.scaled_by_lr},
                      {"formula", wd.formula}}}};

  // Terms in the order the objective builds them: data, parameter penalties, activity penalties.
  json terms = json::array();
  terms.push_back({{"name", "classification_loss"},
                   {"kind", "data"},
                   {"formula", config.training.label_smoothing > 0
                                   ? "mean softmax cross-entropy, label smoothing " +
                                         std::to_string(config.training.label_smoothing)
                                   : "mean over the batch of −log softmax(logits)[label]"}});
  json frozen = json::array();
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
    if (!p->regularizer) continue;
    if (!p->trainable) {
      frozen.push_back({{"parameter", p->name}, {"formula", p->regularizer->formula()}});
      continue;
    }
    terms.push_back({{"name", p->name + "/" + p->regularizer->kind()},
                     {"kind", "regularization"},
                     {"penalty", p->regularizer->kind()},
                     {"source", p->name},
                     {"applies_to", "parameter"},
                     {"formula", p->regularizer->formula()},
                     {"coefficients", coefficients_of(*p->regularizer)},
                     {"size", p->numel()},
                     {"equivalents", equivalents_of(*p->regularizer, config.convention, rule)}});
  }
  json layers = json::array();
  const auto& mods = model.layers();
  for (size_t i = 0; i < mods.size(); ++i) {
    const auto* layer = dynamic_cast<const nn::Layer*>(mods[i].get());
    const std::string type = layer ? std::string(layer->type_name()) : "module";
    json lj = {{"name", mods[i]->name()}, {"type", type}};
    // Is the next layer with parameters a batch normalization? Then this layer's kernel is
    // scale-invariant: its L2 term shrinks the norm without changing the function.
    for (size_t k = i + 1; k < mods.size(); ++k) {
      const auto* next = dynamic_cast<const nn::Layer*>(mods[k].get());
      if (!next) break;
      if (next->type_name() == "batch_normalization") {
        lj["followed_by_batch_norm"] = mods[k]->name();
        break;
      }
      if (!mods[k]->parameters().empty()) break;
    }
    if (const auto& r = mods[i]->activity_regularizer) {
      lj["activity_regularizer"] = r->formula();
      terms.push_back({{"name", mods[i]->name() + "/activity/" + r->kind()},
                       {"kind", "regularization"},
                       {"penalty", r->kind()},
                       {"source", mods[i]->name() + "/output"},
                       {"applies_to", "activity"},
                       {"formula", regularize::activity_formula(*r)},
                       {"coefficients", coefficients_of(*r)},
                       {"divisor", "the batch size of each step (Keras >= 3.14 and tf.keras divide; Keras 3.0-3.13 did not)"}});
    }
    if (type == "dropout" || type == "spatial_dropout2d" || type == "gaussian_dropout" || type == "gaussian_noise")
      lj["train_only_noise"] = true;
    layers.push_back(lj);
  }
  j["terms"] = terms;
  j["parameters"] = params;
  j["frozen_regularized"] = frozen;
  j["layers"] = layers;
  j["fused_regularizers"] = config.training.fused_regularizers;
  j["logging"] = {{"every_steps", config.logging.every_steps}};
  return j;
}

}  // namespace occam::app
