// Uses the installed headers and libraries: the tape, a dense op and a Keras L2 penalty.
#include <cstdio>

#include "occam/autograd/ops.h"
#include "occam/regularize/regularizer.h"

int main() {
  using namespace occam;
  Var w = leaf(Tensor::ones({5, 5}));
  Var x = constant(Tensor::full({2, 5}, 2.f));
  Var loss = sum(dense(x, w, Var())) + regularize::l2(2.f)->penalty(w);  // 100 + 50
  backward(loss);
  std::printf("loss=%g grad00=%g\n", loss.item(), w.grad()[0]);  // ∂/∂w00 = Σx[:,0] + 4·w00 = 8
  return loss.item() == 150.f && w.grad()[0] == 8.f ? 0 : 1;
}
