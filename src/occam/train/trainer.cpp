#include "occam/train/trainer.h"

#include <chrono>
#include <cmath>

#include "occam/loss/cross_entropy.h"
#include "occam/regularize/gradient_norm.h"
#include "occam/train/metrics.h"

namespace occam::train {

Trainer::Trainer(nn::Module& model, optim::Optimizer& optimizer, Schedule schedule,
                 std::shared_ptr<const Task> task, TrainerOptions options, Rng rng)
    : model_(model),
      optimizer_(optimizer),
      schedule_(std::move(schedule)),
      task_(std::move(task)),
      options_(options),
      rng_(rng) {
  OCCAM_CHECK(task_ != nullptr, "trainer: no task");
}

double EvalResult::metric(const std::string& name) const {
  const auto it = metrics.find(name);
  return it == metrics.end() ? NAN : it->second;
}

namespace {
double seconds_since(std::chrono::steady_clock::time_point& t) {
  const auto now = std::chrono::steady_clock::now();
  const double s = std::chrono::duration<double>(now - t).count();
  t = now;
  return s;
}

// The outputs' values as constants: they outlive the step without holding its tape.
nn::Outputs detached(const nn::Outputs& outputs) {
  nn::Outputs out;
  for (const auto& o : outputs) out.push_back({o.name, constant(o.value.value())});
  return out;
}
}  // namespace

void Trainer::check_finite(const std::vector<NamedValue>& terms) const {
  if (!options_.check_finite) return;
  for (const auto& t : terms)
    if (!std::isfinite(t.value))
      throw DivergenceError("term " + t.name + " is " + std::to_string(t.value) + " at step " +
                            std::to_string(step_ + 1) +
                            "; training stopped, the last checkpoint is intact");
}

// The pull of each penalty on what it penalizes, and the whole gradient of each parameter.
std::map<std::string, double> Trainer::gradient_norms(const std::vector<nn::Parameter*>& params,
                                                      const Objective& objective) const {
  std::map<std::string, double> out;
  for (nn::Parameter* p : params) {
    if (p->value.grad().defined()) out[p->name] = regularize::l2_norm(p->value.grad());
    if (p->regularizer && p->trainable)
      out[p->name + "/" + p->regularizer->kind()] =
          regularize::penalty_gradient_norm(*p->regularizer, p->data());
  }
  for (const auto& t : objective.regularization_terms())
    if (t.grad_norm >= 0) out[t.name] = t.grad_norm;
  return out;
}

StepResult Trainer::train_step(const data::Batch& batch, bool measure) {
  StepResult result;
  auto clock = std::chrono::steady_clock::now();
  optimizer_.zero_grad();
  result.times.backward = seconds_since(clock);
  std::vector<nn::Term> activity;
  nn::StepContext ctx{nn::Mode::train, &rng_, &activity, measure};
  const nn::Outputs outputs = model_.forward_outputs(constant(batch.inputs), ctx);

  Objective objective;
  task_->add_data_terms(objective, outputs, batch);
  const auto params = model_.parameters();
  objective.add_parameter_penalties(params, options_.fused_regularizers);
  objective.add_activity_terms(std::move(activity));
  const Var& total = objective.differentiable_total();
  result.times.forward = seconds_since(clock);

  backward(total);
  if (gradient_hook_) gradient_hook_(params);
  objective.apply_penalty_gradients();
  result.terms = objective.values();
  check_finite(result.terms);
  if (measure) result.grad_norms = gradient_norms(params, objective);
  result.times.backward += seconds_since(clock);

  optimizer_.step(schedule_(step_));
  for (nn::Parameter* p : params)
    if (p->constraint && p->trainable)
      result.constraints[p->name] = p->constraint->project(p->data(), p->layout);
  result.times.optimizer = seconds_since(clock);
  ++step_;

  result.count = batch.size();
  result.outputs = detached(outputs);
  const auto metrics = task_->train_metrics();
  metrics->add(result.outputs, batch);
  result.metrics = metrics->values();
  result.data = objective.data_terms();
  result.regularization = objective.regularization_terms();
  result.frozen_regularized = objective.frozen_regularized();
  return result;
}

EvalResult Trainer::evaluate(const data::Source& source, int64_t batch_size) {
  OCCAM_CHECK(batch_size >= 1, "evaluate: batch size must be >= 1, got ", batch_size);
  InferenceMode no_tape;
  EvalResult out;
  std::vector<double> sums;
  std::vector<std::string> names;
  const auto metrics = task_->eval_metrics();
  // The parameter penalties do not depend on the batch: computed once, the same terms (and the
  // same values) enter every batch's objective, in the usual place before the activity terms.
  Objective penalties;
  penalties.add_parameter_penalties(model_.parameters(), false);
  const int64_t N = source.size();
  data::Batch batch;
  for (int64_t start = 0; start < N; start += batch_size) {
    const int64_t n = std::min(batch_size, N - start);
    data::fill_range(source, start, n, batch);
    std::vector<nn::Term> activity;
    nn::StepContext ctx{nn::Mode::eval, nullptr, &activity, false};
    const nn::Outputs outputs = model_.forward_outputs(constant(batch.inputs), ctx);
    Objective objective;
    task_->add_data_terms(objective, outputs, batch);
    objective.add_activity_terms(penalties.regularization_terms());
    objective.add_activity_terms(std::move(activity));
    const auto values = objective.values();
    if (sums.empty()) {
      sums.assign(values.size(), 0.0);
      for (const auto& v : values) names.push_back(v.name);
    }
    for (size_t i = 0; i < values.size(); ++i) sums[i] += double(values[i].value) * double(n);
    metrics->add(outputs, batch);
  }
  for (size_t i = 0; i < sums.size(); ++i)
    out.terms.push_back({names[i], float(sums[i] / double(N))});
  out.count = N;
  out.metrics = metrics->values();
  return out;
}

nn::Outputs Trainer::predict(const Tensor& x) {
  InferenceMode no_tape;
  nn::StepContext ctx{nn::Mode::eval, nullptr, nullptr, false};
  return model_.forward_outputs(constant(x), ctx);
}

Checkpoint Trainer::checkpoint() const {
  Checkpoint c;
  for (nn::Parameter* p : model_.parameters()) c.tensors["model/" + p->name] = p->data().clone();
  for (nn::Buffer* b : model_.buffers()) c.tensors["model/" + b->name] = b->value.clone();
  for (const auto& s : optimizer_.state()) c.tensors["optimizer/" + s.name] = s.value.clone();
  c.header["step"] = step_;
  const auto rng = rng_.state();
  std::vector<std::string> words;
  for (uint64_t w : rng) words.push_back(std::to_string(w));
  c.header["rng"] = words;
  return c;
}

void Trainer::restore(const Checkpoint& c) {
  auto take = [&](const std::string& key, Tensor& into) {
    auto it = c.tensors.find(key);
    if (it == c.tensors.end()) throw CheckpointError("checkpoint has no tensor " + key);
    if (it->second.shape() != into.shape())
      throw CheckpointError("checkpoint tensor " + key + " has shape " +
                            shape_str(it->second.shape()) + ", the model expects " +
                            shape_str(into.shape()));
    into.copy_from(it->second);
  };
  for (nn::Parameter* p : model_.parameters()) take("model/" + p->name, p->data());
  for (nn::Buffer* b : model_.buffers()) take("model/" + b->name, b->value);
  std::vector<optim::NamedTensor> state;
  for (const auto& [name, t] : c.tensors)
    if (name.rfind("optimizer/", 0) == 0) state.push_back({name.substr(10), t});
  optimizer_.load_state(state);
  try {
    step_ = c.header.at("step").get<int64_t>();
    std::array<uint64_t, 6> words{};
    const auto& rng = c.header.at("rng");
    for (size_t i = 0; i < words.size(); ++i) words[i] = std::stoull(rng.at(i).get<std::string>());
    rng_.set_state(words);
  } catch (const std::exception& e) {
    throw CheckpointError(std::string("checkpoint header is missing step or rng: ") + e.what());
  }
}

std::map<std::string, double> weight_norms(nn::Module& model) {
  std::map<std::string, double> out;
  for (nn::Parameter* p : model.parameters()) out[p->name] = regularize::l2_norm(p->data());
  return out;
}

}  // namespace occam::train
