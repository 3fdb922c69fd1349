// The objective of one step: an ordered list of named scalar terms.
//   total_loss = Σ data terms + regularization_loss,   regularization_loss = Σ regularization terms
// Data terms are named by the task (classification_loss); a regularization term is named after
// what it penalizes and how (dense_1/kernel/l2, dense_1/activity/l2). Names are unique by
// construction: a collision is an error, never a `_1` suffix.
//
// A training step uses it in this order (train::Trainer):
//   add_data_term… → add_parameter_penalties → add_activity_terms      (collect; nothing written)
//   backward(differentiable_total())                                 (data + tape penalty gradients)
//   [gradient hook: e.g. the all-reduce of the gradients]
//   apply_penalty_gradients()                                        (the fused L1/L2 terms)
//   values()                                                         (every term, the two sums)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "occam/nn/module.h"

namespace occam::train {

struct NamedValue {
  std::string name;
  float value;
};

class Objective {
 public:
  // A data term with what explaining it needs (name, formula, source); value a scalar.
  void add_data_term(nn::Term term);
  void add_data_term(std::string name, Var value);
  // One term per trainable parameter that has a regularizer. With `fused` (and grad enabled),
  // L1/L2 terms stay off the tape: one pass over the parameter in apply_penalty_gradients()
  // computes the value and adds the gradient into the parameter's gradient buffer. Nothing is
  // written here. Frozen regularized parameters are listed in frozen_regularized(), never counted.
  void add_parameter_penalties(const std::vector<nn::Parameter*>& params, bool fused);
  void add_activity_terms(std::vector<nn::Term> terms);

  // Σ data terms + Σ regularization terms on the tape: what backward differentiates (the fused
  // terms' gradients come from apply_penalty_gradients()). Built once.
  const Var& differentiable_total();
  // The fused terms: adds ∂term/∂w into each parameter's gradient (allocated if backward did not
  // reach it) and sets the term's value. Call once, after backward. Adding the penalty gradient
  // after the data gradient gives the same bits as adding it before (one rounding of a + b).
  void apply_penalty_gradients();
  bool has_pending_penalties() const { return !pending_.empty(); }

  // total_loss and regularization_loss on the tape (when no fused term is pending).
  const Var& total();
  const Var& regularization_loss();

  const std::vector<nn::Term>& data_terms() const { return data_; }
  const std::vector<nn::Term>& regularization_terms() const { return regularization_; }
  const std::vector<std::string>& frozen_regularized() const { return frozen_; }
  // data terms, regularization terms, regularization_loss, total_loss — in that order; the sums
  // added in float in that order. Every fused term must have been applied.
  std::vector<NamedValue> values();

 private:
  void check_unique(const std::string& name) const;
  void check_open(const std::string& name) const;
  std::vector<nn::Term> data_, regularization_;
  std::vector<std::string> frozen_;
  struct Pending {
    size_t term;  // index into regularization_
    nn::Parameter* parameter;
  };
  std::vector<Pending> pending_;
  Var regularization_loss_, total_, differentiable_;
};

}  // namespace occam::train
