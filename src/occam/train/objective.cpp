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
  OCCAM_CHECK(!total_.defined(), "objective: term '", name, "' added after total() was built");
}

void Objective::add_data_term(std::string name, Var value) {
  check_unique(name);
  OCCAM_CHECK(value.numel() == 1, "objective: data term ", name, " must be a scalar, got ", value.shape());
  data_.push_back(nn::Term{std::move(name), std::move(value), "", "", 0, 1.f});
}

void Objective::add_parameter_penalties(const std::vector<nn::Parameter*>& params, bool fused) {
  for (nn::Parameter* p : params) {
    if (!p->regularizer) continue;
    if (!p->trainable) {
      frozen_.push_back(p->name);
      continue;
    }
    nn::Term term{p->name + "/" + p->regularizer->kind(), Var(), p->name,
                  p->regularizer->formula(), p->numel(), 1.f};
    check_unique(term.name);
    std::optional<float> value;
    if (fused && grad_enabled()) value = p->regularizer->add_penalty_gradient(p->data(), p->grad());
    if (value) {
      term.value = constant(Tensor::scalar(*value));
    } else {
      term.value = p->regularizer->penalty(p->value);
    }
    regularization_.push_back(std::move(term));
  }
}

void Objective::add_activity_terms(std::vector<nn::Term> terms) {
  for (auto& t : terms) {
    check_unique(t.name);
    regularization_.push_back(std::move(t));
  }
}

const Var& Objective::regularization_loss() {
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
  total();
  std::vector<NamedValue> out;
  for (const auto& t : data_) out.push_back({t.name, t.value.item()});
  for (const auto& t : regularization_) out.push_back({t.name, t.value.item()});
  out.push_back({"regularization_loss", regularization_loss_.item()});
  out.push_back({"total_loss", total_.item()});
  return out;
}

}  // namespace occam::train
