#include "occam/config/run_config.h"

#include <algorithm>

#include "occam/config/node.h"

namespace occam::config {

namespace {

using Check = std::function<std::optional<std::string>(float)>;

// One table per enum: the config spelling is the enum value's name (STYLE.md §2.1).
template <class E>
E read_enum(ConfigNode& node, const std::string& key, E fallback,
            const std::vector<std::pair<std::string, E>>& table) {
  if (!node.has(key)) {
    node.optional<std::string>(key, "");
    return fallback;
  }
  const std::string s = node.required<std::string>(key);
  for (const auto& [name, value] : table)
    if (name == s) return value;
  std::string expected;
  std::vector<std::string> names;
  for (const auto& [name, value] : table) {
    expected += (expected.empty() ? "" : ", ") + name;
    names.push_back(name);
  }
  std::string msg = "expected one of " + expected + ", got '" + s + "'";
  if (auto close = did_you_mean(s, names)) msg += " (did you mean " + *close + "?)";
  node.child(key).fail(msg);
}

const std::vector<std::pair<std::string, nn::Activation>> kActivations = nn::activation_names();

const std::vector<std::pair<std::string, OptimizerConfig::Kind>> kOptimizerKinds = {
    {"sgd", OptimizerConfig::Kind::sgd},
    {"adam", OptimizerConfig::Kind::adam},
    {"adamw", OptimizerConfig::Kind::adamw},
    {"rmsprop", OptimizerConfig::Kind::rmsprop}};

template <class E>
std::string_view name_of(const std::vector<std::pair<std::string, E>>& table, E value) {
  for (const auto& [name, v] : table)
    if (v == value) return name;
  return "?";
}

const std::vector<std::pair<std::string, nn::Initializer>> kInitializers = nn::initializer_names();

Size2 read_size2(ConfigNode& node, const std::string& key, std::optional<Size2> fallback) {
  if (!node.has(key)) {
    if (!fallback) node.required<int64_t>(key);  // throws: missing
    node.optional<int64_t>(key, 0);
    return *fallback;
  }
  ConfigNode v = node.child(key);
  if (v.is_scalar()) {
    const int64_t k = v.as<int64_t>(at_least(1));
    return {k, k};
  }
  auto items = v.elements();
  if (items.size() != 2) v.fail("expected an integer or [height, width], got " + v.text());
  return {items[0].as<int64_t>(at_least(1)), items[1].as<int64_t>(at_least(1))};
}

RegularizerSpec read_regularizer(ConfigNode node) {
  RegularizerSpec r;
  r.where = node.where();
  if (node.is_scalar()) {
    // A bare name takes Keras' defaults: l1/l2 0.01. `l1_l2` needs explicit coefficients
    // (Keras 3 and tf.keras disagree on its defaults: SPEC-regularization §2.3).
    const std::string s = node.as<std::string>();
    if (s == "l1")
      r.l1 = 0.01f;
    else if (s == "l2")
      r.l2 = 0.01f;
    else if (s == "orthogonal")
      r.kind = RegularizerSpec::Kind::orthogonal;
    else if (s == "l1_l2" || s == "l1l2")
      node.fail(
          "l1_l2 needs explicit coefficients, e.g. {l1: 1e-5, l2: 1e-4} (Keras 3 defaults them to 0, tf.keras to 0.01)");
    else
      node.fail(
          "expected a regularizer (l1, l2, {l1: x, l2: y}, {orthogonal: {factor: f, mode: rows}}), got '" +
          s + "'");
    return r;
  }
  if (!node.is_map()) node.fail("expected a regularizer, e.g. {l2: 1e-4}, got " + node.text());
  if (node.has("orthogonal")) {
    r.kind = RegularizerSpec::Kind::orthogonal;
    ConfigNode o = node.child("orthogonal");
    if (o.is_map()) {
      r.factor = o.optional<float>("factor", 0.01f, non_negative_f());
      r.mode = read_enum(o, "mode", regularize::OrthogonalMode::rows,
                         {{"rows", regularize::OrthogonalMode::rows},
                          {"columns", regularize::OrthogonalMode::columns}});
      o.reject_unread_keys();
    } else {
      r.factor = o.as<float>(non_negative_f());
    }
    node.reject_unread_keys();
    return r;
  }
  r.l1 = node.optional<float>("l1", 0.f, non_negative_f());
  r.l2 = node.optional<float>("l2", 0.f, non_negative_f());
  node.reject_unread_keys({"orthogonal"});
  if (!node.has("l1") && !node.has("l2")) node.fail("expected l1 and/or l2, e.g. {l2: 1e-4}");
  return r;
}

ConstraintSpec read_constraint(ConfigNode node) {
  ConstraintSpec c;
  const std::vector<std::pair<std::string, ConstraintSpec::Kind>> kinds = {
      {"max_norm", ConstraintSpec::Kind::max_norm},
      {"min_max_norm", ConstraintSpec::Kind::min_max_norm},
      {"unit_norm", ConstraintSpec::Kind::unit_norm},
      {"non_neg", ConstraintSpec::Kind::non_neg}};
  auto kind_of = [&](const std::string& s, const ConfigNode& at) {
    for (const auto& [name, k] : kinds)
      if (name == s) return k;
    at.fail("expected a constraint (max_norm, min_max_norm, unit_norm, non_neg), got '" + s + "'");
  };
  if (node.is_scalar()) {
    c.kind = kind_of(node.as<std::string>(), node);
    if (c.kind == ConstraintSpec::Kind::min_max_norm) c.max_value = 1.f;
    return c;
  }
  const auto keys = node.keys();
  if (keys.size() != 1)
    node.fail("expected one constraint, e.g. {max_norm: {max_value: 2}}, got " + node.text());
  c.kind = kind_of(keys[0], node);
  if (!node.has(keys[0])) {  // `{unit_norm: }`: no arguments, as the bare name
    node.optional_child(keys[0]);
    if (c.kind == ConstraintSpec::Kind::min_max_norm) c.max_value = 1.f;
    return c;
  }
  ConfigNode args = node.child(keys[0]);
  if (!args.is_map())
    args.fail(
        c.kind == ConstraintSpec::Kind::max_norm
            ? "expected arguments as a mapping, e.g. {max_value: " + args.text() + "}, got " +
                  args.text()
            : "expected arguments as a mapping, e.g. {min_value: 0.5, max_value: 1, rate: 1}, got " +
                  args.text());
  if (c.kind == ConstraintSpec::Kind::max_norm) {
    c.max_value = args.optional<float>("max_value", 2.f, non_negative_f());
  } else if (c.kind == ConstraintSpec::Kind::min_max_norm) {
    c.min_value = args.optional<float>("min_value", 0.f, non_negative_f());
    c.max_value = args.optional<float>("max_value", 1.f, non_negative_f());
    c.rate = args.optional<float>("rate", 1.f, in_range_f(0.f, 1.f));
    if (c.min_value > c.max_value) args.fail("expected min_value <= max_value");
  }
  if (args.is_map()) args.reject_unread_keys();
  return c;
}

void read_parameter_extras(ConfigNode& node, LayerSpec& spec,
                           const std::vector<std::string>& roles) {
  if (std::find(roles.begin(), roles.end(), "bias") == roles.end())
    for (const char* key : {"bias_regularizer", "bias_constraint"})
      if (node.has(key))
        node.fail_at(key, "this layer has no bias (use_bias: false), so nothing to apply it to");
  for (const auto& role : roles) {
    if (auto r = node.optional_child(role + "_regularizer"))
      spec.regularizers.push_back({role, read_regularizer(*r)});
    if (auto c = node.optional_child(role + "_constraint"))
      spec.constraints.push_back({role, read_constraint(*c)});
  }
}

const std::vector<std::pair<std::string, nn::Padding>> kPaddings = {{"valid", nn::Padding::valid},
                                                                    {"same", nn::Padding::same}};

std::vector<std::string> bias_roles(bool use_bias, const char* kernel) {
  if (use_bias) return {kernel, "bias"};
  return {kernel};
}

// The keys of a convolution window: kernel_size, strides, padding.
template <class Options>
void read_window(ConfigNode& node, Options& o) {
  o.kernel_size = read_size2(node, "kernel_size", std::nullopt);
  o.strides = read_size2(node, "strides", Size2{1, 1});
  o.padding = read_enum(node, "padding", nn::Padding::valid, kPaddings);
}

// The keys every layer with a kernel shares: activation, use_bias, bias_initializer.
template <class Options>
void read_activation_and_bias(ConfigNode& node, Options& o) {
  o.activation = read_enum(node, "activation", nn::Activation::linear, kActivations);
  o.use_bias = node.optional<bool>("use_bias", true);
  o.bias_initializer = read_enum(node, "bias_initializer", o.bias_initializer, kInitializers);
}

void read_dense(ConfigNode& node, LayerSpec& spec) {
  nn::DenseOptions o;
  o.units = node.required<int64_t>("units", at_least(1));
  read_activation_and_bias(node, o);
  o.kernel_initializer = read_enum(node, "kernel_initializer", o.kernel_initializer, kInitializers);
  read_parameter_extras(node, spec, bias_roles(o.use_bias, "kernel"));
  spec.options = o;
}

void read_conv2d(ConfigNode& node, LayerSpec& spec) {
  nn::Conv2DOptions o;
  o.filters = node.required<int64_t>("filters", at_least(1));
  read_window(node, o);
  read_activation_and_bias(node, o);
  o.kernel_initializer = read_enum(node, "kernel_initializer", o.kernel_initializer, kInitializers);
  read_parameter_extras(node, spec, bias_roles(o.use_bias, "kernel"));
  spec.options = o;
}

// Keras DepthwiseConv2D: depthwise_regularizer / depthwise_constraint act on depthwise_kernel.
void read_depthwise_conv2d(ConfigNode& node, LayerSpec& spec) {
  nn::DepthwiseConv2DOptions o;
  read_window(node, o);
  o.depth_multiplier = node.optional<int64_t>("depth_multiplier", 1, at_least(1));
  read_activation_and_bias(node, o);
  o.depthwise_initializer =
      read_enum(node, "depthwise_initializer", o.depthwise_initializer, kInitializers);
  read_parameter_extras(node, spec, bias_roles(o.use_bias, "depthwise"));
  for (auto& [role, r] : spec.regularizers)
    if (role == "depthwise") role = "depthwise_kernel";
  for (auto& [role, c] : spec.constraints)
    if (role == "depthwise") role = "depthwise_kernel";
  spec.options = o;
}

void read_batch_normalization(ConfigNode& node, LayerSpec& spec) {
  auto convention = read_enum(
      node, "convention", nn::BatchNormConvention::torch,
      {{"torch", nn::BatchNormConvention::torch}, {"keras", nn::BatchNormConvention::keras}});
  nn::BatchNormOptions o = convention == nn::BatchNormConvention::keras
                               ? nn::BatchNormOptions::keras()
                               : nn::BatchNormOptions::torch();
  o.momentum = node.optional<float>("momentum", o.momentum, in_range_f(0.f, 1.f));
  o.epsilon = node.optional<float>("epsilon", o.epsilon, positive_f());
  read_parameter_extras(node, spec, {"gamma", "beta"});
  spec.options = o;
}

// Layers without parameters: pools, flatten, the dropout family, noise, activation.
bool read_parameterless(const std::string& type, ConfigNode& node, LayerSpec& spec) {
  if (type == "max_pool2d" || type == "avg_pool2d") {
    nn::Pool2DOptions o;
    o.pool_size = read_size2(node, "pool_size", Size2{2, 2});
    if (node.has("strides"))
      o.strides = read_size2(node, "strides", std::nullopt);
    else
      node.optional<int64_t>("strides", 0);
    if (type == "max_pool2d")
      spec.options = MaxPoolSpec{o};
    else
      spec.options = AvgPoolSpec{o};
  } else if (type == "global_avg_pool2d") {
    spec.options = GlobalAvgPoolSpec{};
  } else if (type == "flatten") {
    spec.options = FlattenSpec{};
  } else if (type == "dropout" || type == "spatial_dropout2d" || type == "gaussian_dropout") {
    nn::DropoutOptions o;
    o.rate = node.required<float>("rate", [](float v) -> std::optional<std::string> {
      if (v >= 0.f && v < 1.f) return std::nullopt;
      return std::string("a number in [0, 1)");
    });
    if (type == "dropout")
      spec.options = o;
    else if (type == "spatial_dropout2d")
      spec.options = SpatialDropoutSpec{o};
    else
      spec.options = GaussianDropoutSpec{o};
  } else if (type == "gaussian_noise") {
    nn::GaussianNoiseOptions o;
    o.stddev = node.required<float>("stddev", non_negative_f());
    spec.options = o;
  } else if (type == "activation") {
    nn::ActivationOptions o;
    o.activation = read_enum(node, "activation", nn::Activation::linear, kActivations);
    o.negative_slope = node.optional<float>("negative_slope", o.negative_slope);
    spec.options = o;
  } else {
    return false;
  }
  return true;
}

LayerSpec read_layer(ConfigNode node) {
  LayerSpec spec;
  spec.where = node.where();
  if (!node.is_map())
    node.fail("expected a layer, e.g. {type: dense, units: 128}, got " + node.text());
  const std::string type = node.required<std::string>("type");
  spec.name = node.optional<
      std::string>("name", "", [](std::string n) -> std::optional<std::string> {
    if (n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
        std::string::npos)
      return std::nullopt;
    return std::string(
        "a name of letters, digits, '_', '.' and '-' (it starts every parameter and term name)");
  });
  spec.trainable = node.optional<bool>("trainable", true);
  if (auto a = node.optional_child("activity_regularizer"))
    spec.activity_regularizer = read_regularizer(*a);
  if (type == "dense") {
    read_dense(node, spec);
  } else if (type == "conv2d") {
    read_conv2d(node, spec);
  } else if (type == "depthwise_conv2d") {
    read_depthwise_conv2d(node, spec);
  } else if (type == "batch_normalization") {
    read_batch_normalization(node, spec);
  } else if (!read_parameterless(type, node, spec)) {
    const std::vector<std::string> types = {"dense",
                                            "conv2d",
                                            "depthwise_conv2d",
                                            "max_pool2d",
                                            "avg_pool2d",
                                            "global_avg_pool2d",
                                            "batch_normalization",
                                            "flatten",
                                            "dropout",
                                            "spatial_dropout2d",
                                            "gaussian_dropout",
                                            "gaussian_noise",
                                            "activation"};
    std::string msg = "unknown layer type '" + type + "'";
    if (auto close = did_you_mean(type, types)) msg += " (did you mean " + *close + "?)";
    node.child("type").fail(msg);
  }
  node.reject_unread_keys();
  return spec;
}

float read_lr(ConfigNode& node, float fallback) {
  return node.optional<float>("lr", fallback, non_negative_f());
}

// Adam and AdamW take the same keys (AdamW's weight decay is decoupled); returns lr.
template <class Options>
float read_adam_family(ConfigNode& opt, Options& o) {
  const float lr = read_lr(opt, Options::default_lr);
  o.beta1 = opt.optional<float>("beta1", o.beta1, in_range_f(0.f, 0.999999f));
  o.beta2 = opt.optional<float>("beta2", o.beta2, in_range_f(0.f, 0.999999f));
  o.eps = opt.optional<float>("eps", o.eps, positive_f());
  o.weight_decay = opt.optional<float>("weight_decay", o.weight_decay, non_negative_f());
  return lr;
}

}  // namespace

namespace {

ModelConfig read_model(ConfigNode model) {
  ModelConfig m;
  for (ConfigNode d : model.child("input_shape").elements())
    m.input_shape.push_back(d.as<int64_t>(at_least(1)));
  for (ConfigNode layer : model.child("layers").elements()) m.layers.push_back(read_layer(layer));
  if (m.layers.empty()) model.child("layers").fail("expected at least one layer");
  model.reject_unread_keys();
  return m;
}

// The classification loss applies softmax to the logits itself: a softmax output layer would
// apply it twice (Keras' from_logits=False has no counterpart here).
void check_outputs_logits(const ModelConfig& m) {
  const LayerSpec& last = m.layers.back();
  nn::Activation a = nn::Activation::linear;
  if (const auto* d = std::get_if<nn::DenseOptions>(&last.options)) a = d->activation;
  if (const auto* v = std::get_if<nn::ActivationOptions>(&last.options)) a = v->activation;
  if (a == nn::Activation::softmax || a == nn::Activation::log_softmax)
    throw ConfigError(last.where +
                      ": the last layer must output logits: classification_loss applies "
                      "softmax itself (remove activation: " +
                      std::string(a == nn::Activation::softmax ? "softmax" : "log_softmax") + ")");
}

DataConfig read_data(ConfigNode& root) {
  DataConfig d;
  auto data = root.optional_child("data");
  if (!data) return d;
  d.kind = read_enum(
      *data, "dataset", DataConfig::Kind::fashion_mnist,
      {{"fashion_mnist", DataConfig::Kind::fashion_mnist}, {"csv", DataConfig::Kind::csv}});
  d.path = data->optional<std::string>("path", d.kind == DataConfig::Kind::csv ? "" : d.path);
  if (d.kind == DataConfig::Kind::csv) {
    if (d.path.empty())
      data->fail_at("path", "missing required key 'path' (the training CSV file)");
    d.test_path = data->optional<std::string>("test_path", "");
    d.label_column = data->optional<std::string>("label_column", "label");
  }
  d.validation_split =
      data->optional<double>("validation_split", 0.0, [](double v) -> std::optional<std::string> {
        if (v >= 0 && v < 1) return std::nullopt;
        return std::string("a number in [0, 1)");
      });
  d.train_limit = data->optional<int64_t>("train_limit", 0, at_least(0));
  data->reject_unread_keys();
  return d;
}

// The optimizer, and the learning rate it states (the schedule starts from it).
float read_optimizer(ConfigNode& root, OptimizerConfig& o) {
  float lr = 0.f;
  auto opt = root.optional_child("optimizer");
  if (!opt)
    root.fail_at("optimizer",
                 "missing required key 'optimizer', e.g. {type: sgd, lr: 0.05, momentum: 0.9}");
  o.kind = read_enum(*opt, "type", OptimizerConfig::Kind::sgd, kOptimizerKinds);
  switch (o.kind) {
    case OptimizerConfig::Kind::sgd: {
      auto& v = o.sgd;
      lr = opt->required<float>("lr", non_negative_f());
      v.momentum = opt->optional<float>("momentum", v.momentum, in_range_f(0.f, 0.999999f));
      v.dampening = opt->optional<float>("dampening", v.dampening, in_range_f(0.f, 1.f));
      v.weight_decay = opt->optional<float>("weight_decay", v.weight_decay, non_negative_f());
      v.nesterov = opt->optional<bool>("nesterov", v.nesterov);
      break;
    }
    case OptimizerConfig::Kind::adam:
      lr = read_adam_family(*opt, o.adam);
      break;
    case OptimizerConfig::Kind::adamw:
      lr = read_adam_family(*opt, o.adamw);
      break;
    case OptimizerConfig::Kind::rmsprop: {
      auto& v = o.rmsprop;
      lr = read_lr(*opt, optim::RmspropOptions::default_lr);
      v.alpha = opt->optional<float>("alpha", v.alpha, in_range_f(0.f, 0.999999f));
      v.eps = opt->optional<float>("eps", v.eps, positive_f());
      v.weight_decay = opt->optional<float>("weight_decay", v.weight_decay, non_negative_f());
      v.momentum = opt->optional<float>("momentum", v.momentum, in_range_f(0.f, 0.999999f));
      v.centered = opt->optional<bool>("centered", v.centered);
      break;
    }
  }
  try {
    switch (o.kind) {
      case OptimizerConfig::Kind::sgd:
        optim::validate(o.sgd);
        break;
      case OptimizerConfig::Kind::adam:
        optim::validate(o.adam);
        break;
      case OptimizerConfig::Kind::adamw:
        optim::validate(o.adamw);
        break;
      case OptimizerConfig::Kind::rmsprop:
        optim::validate(o.rmsprop);
        break;
    }
  } catch (const Error& e) {
    opt->fail(e.what());
  }
  opt->reject_unread_keys();
  return lr;
}

optim::ScheduleOptions read_schedule(ConfigNode& root, float lr) {
  optim::ScheduleOptions schedule = optim::ConstantLrOptions{lr};
  auto s = root.optional_child("schedule");
  if (!s) return schedule;
  enum class K { constant, step, exponential, cosine };
  const K kind = read_enum(*s, "type", K::constant,
                           {{"constant", K::constant},
                            {"step", K::step},
                            {"exponential", K::exponential},
                            {"cosine", K::cosine}});
  switch (kind) {
    case K::constant:
      break;
    case K::step: {
      optim::StepLrOptions o{lr};
      o.step_size = s->required<int64_t>("step_size", at_least(1));
      o.gamma = s->optional<float>("gamma", o.gamma, positive_f());
      schedule = o;
      break;
    }
    case K::exponential: {
      optim::ExponentialLrOptions o{lr};
      o.decay_steps = s->optional<int64_t>("decay_steps", 1, at_least(1));
      o.decay_rate = s->required<float>("decay_rate", positive_f());
      o.staircase = s->optional<bool>("staircase", false);
      schedule = o;
      break;
    }
    case K::cosine: {
      optim::CosineLrOptions o{lr};
      // 0 (or absent): the whole run, epochs × steps per epoch, resolved once the data is loaded.
      o.total_steps = s->optional<int64_t>("total_steps", 0, at_least(0));
      o.warmup_steps = s->optional<int64_t>("warmup_steps", 0, at_least(0));
      o.warmup_lr = s->optional<float>("warmup_lr", 0.f, non_negative_f());
      o.hold_steps = s->optional<int64_t>("hold_steps", 0, at_least(0));
      o.min_lr = s->optional<float>("min_lr", 0.f, non_negative_f());
      schedule = o;
      break;
    }
  }
  const auto* cosine = std::get_if<optim::CosineLrOptions>(&schedule);
  if (!cosine || cosine->total_steps > 0) {
    try {
      optim::make_schedule(schedule);
    } catch (const Error& e) {
      s->fail(e.what());
    }
  }
  s->reject_unread_keys();
  return schedule;
}

TaskConfig read_task(ConfigNode& root) {
  TaskConfig t;
  auto node = root.optional_child("task");
  if (!node) return t;
  t.kind = read_enum(*node, "type", TaskConfig::Kind::classification,
                     {{"classification", TaskConfig::Kind::classification}});
  t.label_smoothing = node->optional<float>("label_smoothing", 0.f, in_range_f(0.f, 1.f));
  node->reject_unread_keys();
  return t;
}

TrainingConfig read_training(ConfigNode& root) {
  TrainingConfig c;
  auto t = root.optional_child("training");
  if (!t) return c;
  c.epochs = t->optional<int64_t>("epochs", c.epochs, at_least(1));
  c.batch_size = t->optional<int64_t>("batch_size", c.batch_size, at_least(1));
  c.eval_batch_size = t->optional<int64_t>("eval_batch_size", c.eval_batch_size, at_least(1));
  if (t->has("label_smoothing"))
    t->fail_at("label_smoothing",
               "moved to the task section: task: {type: classification, label_smoothing: " +
                   t->child("label_smoothing").text() + "}");
  c.fused_regularizers = t->optional<bool>("fused_regularizers", true);
  t->reject_unread_keys();
  return c;
}

LoggingConfig read_logging(ConfigNode& root) {
  LoggingConfig c;
  auto l = root.optional_child("logging");
  if (!l) return c;
  c.every_steps = l->optional<int64_t>("every_steps", c.every_steps, at_least(1));
  c.histograms_every_steps =
      l->optional<int64_t>("histograms_every_steps", c.histograms_every_steps, at_least(0));
  c.keep_checkpoints = l->optional<int64_t>("keep_checkpoints", c.keep_checkpoints, at_least(1));
  l->reject_unread_keys();
  return c;
}

}  // namespace

RunConfig read_run_config(ConfigNode root) {
  RunConfig c;
  c.name = root.optional<std::string>("name", c.name);
  c.seed = uint64_t(root.optional<int64_t>("seed", 0, at_least(0)));
  c.threads = root.optional<int>("threads", c.threads, at_least_int(1));
  c.convention =
      read_enum(root, "convention", regularize::Convention::keras, regularize::convention_names());
  c.model = read_model(root.child("model"));
  c.task = read_task(root);
  if (c.task.kind == TaskConfig::Kind::classification) check_outputs_logits(c.model);
  c.data = read_data(root);
  const float lr = read_optimizer(root, c.optimizer);
  c.schedule = read_schedule(root, lr);
  c.training = read_training(root);
  c.logging = read_logging(root);
  root.reject_unread_keys();
  return c;
}

RunConfig load_run_config(const std::string& path) {
  RunConfig c = read_run_config(ConfigNode::load_file(path));
  c.source = path;
  return c;
}

RunConfig default_run_config() {
  RunConfig c =
      read_run_config(ConfigNode::load_string(default_config_text(), "(embedded default config)"));
  c.source = "the embedded default, configs/fashion_mnist_mlp.yaml";
  return c;
}

void resolve_schedule(RunConfig& config, int64_t steps_per_epoch) {
  if (auto* cosine = std::get_if<optim::CosineLrOptions>(&config.schedule);
      cosine && cosine->total_steps == 0) {
    cosine->total_steps = config.training.epochs * steps_per_epoch;
    try {
      optim::make_schedule(config.schedule);
    } catch (const Error& e) {
      throw ConfigError(config.source + ": schedule: " + e.what() + " (total_steps = epochs × " +
                        std::to_string(steps_per_epoch) + " steps per epoch)");
    }
  }
}

float base_lr(const optim::ScheduleOptions& schedule) {
  return std::visit([](const auto& o) { return o.lr; }, schedule);
}

std::string_view to_string(OptimizerConfig::Kind kind) { return name_of(kOptimizerKinds, kind); }

}  // namespace occam::config
