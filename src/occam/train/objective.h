// The objective of one step: an ordered list of named scalar terms.
//   total_loss = Σ data terms + regularization_loss,   regularization_loss = Σ regularization terms
// Data terms are named by the task (classification_loss); a regularization term is named after
// what it penalizes and how (dense_1/kernel/l2, dense_1/activity/l2). Names are unique by
// construction: a collision is an error, never a `_1` suffix.
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
  void add_data_term(std::string name, Var value);
  // One term per trainable parameter that has a regularizer. With `fused`, L1/L2 terms skip the
  // tape: their gradient is added straight into the parameter's gradient buffer (only while
  // grad is enabled), and the term holds the value. Frozen regularized parameters are listed
  // in frozen_regularized(), never counted.
  void add_parameter_penalties(const std::vector<nn::Parameter*>& params, bool fused);
  void add_activity_terms(std::vector<nn::Term> terms);

  // Builds regularization_loss and total_loss (once) and returns total_loss.
  const Var& total();
  const Var& regularization_loss();

  const std::vector<nn::Term>& data_terms() const { return data_; }
  const std::vector<nn::Term>& regularization_terms() const { return regularization_; }
  const std::vector<std::string>& frozen_regularized() const { return frozen_; }
  // data terms, regularization terms, regularization_loss, total_loss — in that order.
  std::vector<NamedValue> values();

 private:
  void check_unique(const std::string& name) const;
  std::vector<nn::Term> data_, regularization_;
  std::vector<std::string> frozen_;
  Var regularization_loss_, total_;
};

}  // namespace occam::train
