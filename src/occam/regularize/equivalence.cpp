#include "occam/regularize/equivalence.h"

namespace occam::regularize {

std::vector<Equivalent> l2_equivalents(double lambda, Convention convention, UpdateRule rule) {
  const double p = double(l2_factor(convention)) * lambda;  // the penalty is p·Σw²
  std::vector<Equivalent> out;
  out.push_back({"keras / tf_keras l2", true, p, "penalty value and gradient identical"});
  out.push_back({"tf_slim l2_regularizer(scale) / TF OD API l2_regularizer.weight", true, 2 * p,
                 "penalty value and gradient identical (slim adds scale·Σw²/2)"});
  out.push_back({"tf_od_keras l2 weight", true, 2 * p, "the OD API passes 0.5·weight to Keras l2"});
  const bool coupled_rule = rule != UpdateRule::adamw;
  out.push_back({"torch coupled weight_decay (SGD, Adam, RMSprop)", coupled_rule, 2 * p,
                 coupled_rule ? "adds the same 2p·w to the gradient: identical updates, but torch "
                                "logs no penalty in the loss"
                              : "this run uses AdamW, whose decay is decoupled"});
  switch (rule) {
    case UpdateRule::sgd:
      out.push_back({"decoupled weight_decay (AdamW-style, Keras 3 weight_decay) under SGD", true,
                     2 * p, "plain SGD: lr·wd·w shrink = lr·2p·w gradient step, identical"});
      break;
    case UpdateRule::sgd_momentum:
      out.push_back({"decoupled weight_decay (Keras 3 SGD weight_decay)", false, 0,
                     "momentum amplifies the coupled decay and not the decoupled one (§7.4)"});
      break;
    case UpdateRule::adam:
    case UpdateRule::rmsprop:
      out.push_back(
          {"decoupled weight_decay (AdamW)", false, 0,
           "the L2 gradient is divided by the adaptive denominator; AdamW's shrink is not"});
      break;
    case UpdateRule::adamw:
      out.push_back({"decoupled weight_decay (AdamW)", false, 0,
                     "no L2 coefficient reproduces AdamW's decay under an adaptive optimizer"});
      break;
  }
  return out;
}

}  // namespace occam::regularize
