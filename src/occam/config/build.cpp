#include "occam/config/build.h"

#include "occam/nn/flatten.h"
#include "occam/nn/layer.h"
#include "occam/optim/adam.h"
#include "occam/optim/rmsprop.h"
#include "occam/optim/sgd.h"
#include "occam/regularize/equivalence.h"

namespace occam::config {

std::unique_ptr<regularize::Regularizer> make_regularizer(const RegularizerSpec& spec,
                                                          regularize::Convention convention) {
  if (spec.kind == RegularizerSpec::Kind::orthogonal)
    return std::make_unique<regularize::Orthogonal>(spec.factor, spec.mode);
  return std::make_unique<regularize::L1L2>(spec.l1, spec.l2, convention);
}

std::unique_ptr<regularize::Constraint> make_constraint(const ConstraintSpec& spec) {
  switch (spec.kind) {
    case ConstraintSpec::Kind::max_norm:
      return regularize::max_norm(spec.max_value);
    case ConstraintSpec::Kind::min_max_norm:
      return regularize::min_max_norm(spec.min_value, spec.max_value, spec.rate);
    case ConstraintSpec::Kind::unit_norm:
      return regularize::unit_norm();
    case ConstraintSpec::Kind::non_neg:
      return regularize::non_neg();
  }
  return nullptr;
}

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// What the spec attaches to the layer's parameters and output, made in the run's convention.
nn::Attachments attachments(const LayerSpec& spec, regularize::Convention convention) {
  nn::Attachments a;
  for (const auto& [role, r] : spec.regularizers)
    a.regularizers.emplace_back(role, make_regularizer(r, convention));
  for (const auto& [role, c] : spec.constraints)
    a.constraints.emplace_back(role, make_constraint(c));
  if (spec.activity_regularizer)
    a.activity = make_regularizer(*spec.activity_regularizer, convention);
  a.trainable = spec.trainable;
  return a;
}

// The layer a spec describes, for an input of shape `in` ([N, ...] with N = 1). Layers whose
// options carry attachments get them there; the others (no parameters) get them after.
std::unique_ptr<nn::Layer> make_layer(const LayerSpec& spec, const nn::Attachments& att,
                                      const Shape& in, Rng& rng) {
  auto channels = [&](const char* what) {
    if (in.size() != 4)
      throw ConfigError(spec.where + ": " + what + " expects images [N,C,H,W], but its input is " +
                        shape_str(in) + " (a flatten or dense before it?)");
    return in[1];
  };
  auto features = [&]() {
    if (in.size() != 2)
      throw ConfigError(spec.where + ": dense expects [N,features], but its input is " +
                        shape_str(in) + " (add a flatten layer before it)");
    return in[1];
  };
  bool attached = false;
  auto named = [&](auto options) {
    options.name = spec.name;
    if constexpr (requires { options.attach; }) {
      options.attach = att;
      attached = true;
    }
    return options;
  };
  std::unique_ptr<nn::Layer> layer = std::visit(
      Overloaded{
          [&](const nn::DenseOptions& o) -> std::unique_ptr<nn::Layer> {
            return std::make_unique<nn::Dense>(named(o), features(), rng);
          },
          [&](const nn::Conv2DOptions& o) -> std::unique_ptr<nn::Layer> {
            return std::make_unique<nn::Conv2D>(named(o), channels("conv2d"), rng);
          },
          [&](const nn::DepthwiseConv2DOptions& o) -> std::unique_ptr<nn::Layer> {
            return std::make_unique<nn::DepthwiseConv2D>(named(o), channels("depthwise_conv2d"),
                                                         rng);
          },
          [&](const MaxPoolSpec& s) -> std::unique_ptr<nn::Layer> {
            channels("max_pool2d");
            return std::make_unique<nn::MaxPool2D>(named(s.options));
          },
          [&](const AvgPoolSpec& s) -> std::unique_ptr<nn::Layer> {
            channels("avg_pool2d");
            return std::make_unique<nn::AvgPool2D>(named(s.options));
          },
          [&](const GlobalAvgPoolSpec&) -> std::unique_ptr<nn::Layer> {
            channels("global_avg_pool2d");
            return std::make_unique<nn::GlobalAvgPool2D>(spec.name);
          },
          [&](const nn::BatchNormOptions& o) -> std::unique_ptr<nn::Layer> {
            if (in.size() != 2 && in.size() != 4)
              throw ConfigError(spec.where +
                                ": batch_normalization expects [N,C] or [N,C,H,W], got " +
                                shape_str(in));
            return std::make_unique<nn::BatchNormalization>(named(o), in[1]);
          },
          [&](const FlattenSpec&) -> std::unique_ptr<nn::Layer> {
            return std::make_unique<nn::Flatten>(spec.name);
          },
          [&](const nn::DropoutOptions& o) -> std::unique_ptr<nn::Layer> {
            return std::make_unique<nn::Dropout>(named(o));
          },
          [&](const SpatialDropoutSpec& s) -> std::unique_ptr<nn::Layer> {
            channels("spatial_dropout2d");
            return std::make_unique<nn::SpatialDropout2D>(named(s.options));
          },
          [&](const GaussianDropoutSpec& s) -> std::unique_ptr<nn::Layer> {
            return std::make_unique<nn::GaussianDropout>(named(s.options));
          },
          [&](const nn::GaussianNoiseOptions& o) -> std::unique_ptr<nn::Layer> {
            return std::make_unique<nn::GaussianNoise>(named(o));
          },
          [&](const nn::ActivationOptions& o) -> std::unique_ptr<nn::Layer> {
            return std::make_unique<nn::ActivationLayer>(named(o));
          },
      },
      spec.options);
  if (!attached) layer->attach(att);
  return layer;
}

// Keras rejects an orthogonal regularizer on anything but a matrix (conv kernels too).
void check_orthogonal(const LayerSpec& spec, nn::Module& layer, const Shape& out) {
  for (const auto& [role, r] : spec.regularizers) {
    if (r.kind != RegularizerSpec::Kind::orthogonal) continue;
    for (nn::Parameter* p : layer.parameters())
      if (p->name == layer.name() + "/" + role && p->data().rank() != 2)
        throw ConfigError(r.where + ": orthogonal needs a rank-2 tensor, but " + p->name + " is " +
                          shape_str(p->data().shape()) + " (Keras rejects conv kernels too)");
  }
  if (spec.activity_regularizer &&
      spec.activity_regularizer->kind == RegularizerSpec::Kind::orthogonal && out.size() != 2)
    throw ConfigError(spec.activity_regularizer->where +
                      ": orthogonal needs a rank-2 output [N,features], but " + layer.name() +
                      " outputs " + shape_str(out));
}

}  // namespace

std::unique_ptr<nn::Sequential> build_model(const ModelConfig& config,
                                            regularize::Convention convention, Rng& rng) {
  auto model = std::make_unique<nn::Sequential>();
  Shape shape = config.input_shape;
  shape.insert(shape.begin(), 1);
  for (const LayerSpec& spec : config.layers) {
    try {
      nn::Module& layer = model->add(make_layer(spec, attachments(spec, convention), shape, rng));
      shape = layer.output_shape(shape);
      check_orthogonal(spec, layer, shape);
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      throw ConfigError(spec.where + ": " + e.what());
    }
  }
  return model;
}

std::unique_ptr<optim::Optimizer> build_optimizer(const OptimizerConfig& config,
                                                  std::vector<nn::Parameter*> params) {
  switch (config.kind) {
    case OptimizerConfig::Kind::sgd:
      return std::make_unique<optim::Sgd>(std::move(params), config.sgd);
    case OptimizerConfig::Kind::adam:
      return std::make_unique<optim::Adam>(std::move(params), config.adam);
    case OptimizerConfig::Kind::adamw:
      return std::make_unique<optim::AdamW>(std::move(params), config.adamw);
    case OptimizerConfig::Kind::rmsprop:
      return std::make_unique<optim::Rmsprop>(std::move(params), config.rmsprop);
  }
  return nullptr;
}

regularize::UpdateRule update_rule(const OptimizerConfig& config) {
  switch (config.kind) {
    case OptimizerConfig::Kind::sgd:
      return config.sgd.momentum > 0 ? regularize::UpdateRule::sgd_momentum
                                     : regularize::UpdateRule::sgd;
    case OptimizerConfig::Kind::adam:
      return regularize::UpdateRule::adam;
    case OptimizerConfig::Kind::adamw:
      return regularize::UpdateRule::adamw;
    case OptimizerConfig::Kind::rmsprop:
      return regularize::UpdateRule::rmsprop;
  }
  return regularize::UpdateRule::sgd;
}

std::shared_ptr<const train::Task> build_task(const TaskConfig& config) {
  switch (config.kind) {
    case TaskConfig::Kind::classification:
      return std::make_shared<train::ClassificationTask>(config.label_smoothing);
  }
  throw ConfigError("task: unknown type");
}

}  // namespace occam::config
