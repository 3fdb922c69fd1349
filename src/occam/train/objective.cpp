#include "occam/train/objective.h"

#include "occam/autograd/ops.h"

namespace occam::train {

void Objective::check_unique(const std::string& name) const {
  auto clash = [&](const std::vector<nn::Term>& terms) {
    for (const auto& t : terms)
      if (t.name == name) return true;
    return false;
  };
  OCCAM_CHECK(!clash(data_) && !clash(regularization_) && name != "regularization_loss" &&
                  name != "total_loss",
              "objective: two terms named '", name, "' (term names must be unique)");
  check_open(name);
}

void Objective::check_open(const std::string& name) const {
  OCCAM_CHECK(!total_.defined() && !differentiable_.defined(), "objective: term '", name,
              "' added after the total was built");
}

void Objective::add_data_term(nn::Term term) {
  check_unique(term.name);
  OCCAM_CHECK(term.value.numel() == 1, "objective: data term ", term.name,
              " must be a scalar, got ", term.value.shape());
  data_.push_back(std::move(term));
}

void Objective::add_data_term(std::string name, Var value) {
  nn::Term term;
  term.name = std::move(name);
  term.value = std::move(value);
  add_data_term(std::move(term));
}

void Objective::add_parameter_penalties(const std::vector<nn::Parameter*>& params, bool fused) {
  for (nn::Parameter* p : params) {
    if (!p->regularizer) continue;
    if (!p->trainable) {
      frozen_.push_back(p->name);
      continue;
    }
    nn::Term term{p->name + "/" + p->regularizer->kind(),
                  Var(),
                  p->name,
                  p->regularizer->formula(),
                  p->numel(),
                  1.f,
                  -1,
                  p->regularizer.get(),
                  "parameter"};
    check_unique(term.name);
    if (fused && grad_enabled() && p->regularizer->has_fused_path())
      pending_.push_back({regularization_.size(), p});
    else
      term.value = p->regularizer->penalty(p->value);
    regularization_.push_back(std::move(term));
  }
}

void Objective::add_activity_terms(std::vector<nn::Term> terms) {
  for (auto& t : terms) {
    check_unique(t.name);
    regularization_.push_back(std::move(t));
  }
}

const Var& Objective::differentiable_total() {
  if (!differentiable_.defined()) {
    OCCAM_CHECK(!data_.empty(), "objective: no data term");
    Var sum = data_[0].value;
    for (size_t i = 1; i < data_.size(); ++i) sum = add(sum, data_[i].value);
    for (const auto& t : regularization_)
      if (t.value.defined()) sum = add(sum, t.value);
    differentiable_ = sum;
  }
  return differentiable_;
}

void Objective::apply_penalty_gradients() {
  for (const Pending& q : pending_) {
    nn::Parameter& p = *q.parameter;
    const auto value = p.regularizer->add_penalty_gradient(p.data(), p.grad());
    OCCAM_CHECK(value.has_value(), "objective: ", p.name, ": the regularizer has no fused path");
    regularization_[q.term].value = constant(Tensor::scalar(*value));
  }
  pending_.clear();
}

const Var& Objective::regularization_loss() {
  OCCAM_CHECK(pending_.empty(), "objective: regularization_loss before apply_penalty_gradients()");
  if (!regularization_loss_.defined()) {
    Var sum_terms = constant(Tensor::scalar(0.f));
    for (const auto& t : regularization_) sum_terms = add(sum_terms, t.value);
    regularization_loss_ = sum_terms;
  }
  return regularization_loss_;
}

const Var& Objective::total() {
  if (!total_.defined()) {
    OCCAM_CHECK(!data_.empty(), "objective: no data term");
    Var data = data_[0].value;
    for (size_t i = 1; i < data_.size(); ++i) data = add(data, data_[i].value);
    total_ = add(data, regularization_loss());
  }
  return total_;
}

std::vector<NamedValue> Objective::values() {
  OCCAM_CHECK(pending_.empty(), "objective: values() before apply_penalty_gradients()");
  OCCAM_CHECK(!data_.empty(), "objective: no data term");
  // The same float additions, in the same order, as total() on the tape.
  std::vector<NamedValue> out;
  float data = 0.f;
  for (size_t i = 0; i < data_.size(); ++i) {
    const float v = data_[i].value.item();
    data = i == 0 ? v : data + v;
    out.push_back({data_[i].name, v});
  }
  float reg = 0.f;
  for (const auto& t : regularization_) {
    const float v = t.value.item();
    reg = reg + v;
    out.push_back({t.name, v});
  }
  out.push_back({"regularization_loss", reg});
  out.push_back({"total_loss", data + reg});
  return out;
}

}  // namespace occam::train
