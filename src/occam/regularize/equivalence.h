// What an L2 coefficient equals in the other conventions, and whether an optimizer's weight
// decay can reproduce it. Derivations: ../shared/SPEC-regularization.md §2.2, §7.4.
//   penalty p·Σw² (p = l2_factor(convention)·λ) adds 2p·w to the gradient, so
//   keras/tf_keras l2 = p;  tf_slim / TF OD API l2_regularizer weight = 2p;  torch coupled weight_decay = 2p.
#pragma once

#include <string>
#include <vector>

#include "occam/regularize/convention.h"

namespace occam::regularize {

// The optimizer the penalty's gradient goes through.
enum class UpdateRule { sgd, sgd_momentum, adam, adamw, rmsprop };

struct Equivalent {
  std::string target;  // "keras l2", "tf_slim l2_regularizer(scale)", "torch SGD weight_decay", ...
  bool exists;         // false: no value of target reproduces the penalty's effect
  double value;        // the coefficient in target's terms (when exists)
  std::string note;    // when/why it holds or not
};

std::vector<Equivalent> l2_equivalents(double lambda, Convention convention, UpdateRule rule);

}  // namespace occam::regularize
