#include "occam/autograd/var.h"

#include <unordered_set>

namespace occam {

namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() { return g_grad_enabled; }
InferenceMode::InferenceMode() : previous_(g_grad_enabled) { g_grad_enabled = false; }
InferenceMode::~InferenceMode() { g_grad_enabled = previous_; }

Tensor& Node::ensure_grad() {
  if (!grad.defined()) grad = Tensor::zeros(value.shape());
  return grad;
}

Tensor& Node::grad_of(size_t i) { return inputs[i]->ensure_grad(); }

bool Node::first_grad_of(size_t i) {
  Node& in = *inputs[i];
  if (in.grad.defined()) return false;
  in.grad = Tensor::empty(in.value.shape());
  return true;
}

Var constant(Tensor t) {
  auto n = std::make_shared<Node>();
  n->op = "constant";
  n->value = std::move(t);
  return Var(std::move(n));
}

Var leaf(Tensor t, bool requires_grad) {
  auto n = std::make_shared<Node>();
  n->value = std::move(t);
  n->requires_grad = requires_grad;
  return Var(std::move(n));
}

Var record(const char* op, Tensor y, const std::vector<Var>& inputs, BackwardFn backward) {
  auto n = std::make_shared<Node>();
  n->op = op;
  n->value = std::move(y);
  bool any = false;
  if (g_grad_enabled)
    for (const Var& v : inputs) any = any || v.requires_grad();
  if (any) {
    n->requires_grad = true;
    n->inputs.reserve(inputs.size());
    for (const Var& v : inputs) n->inputs.push_back(v.node_ptr());
    n->backward = std::move(backward);
  }
  return Var(std::move(n));
}

void backward(const Var& root) {
  OCCAM_CHECK(root.defined() && root.numel() == 1,
              "backward: expected a one-element root (a loss), got shape ",
              root.defined() ? root.shape() : Shape{});
  backward(root, Tensor::full(root.shape(), 1.f));
}

void backward(const Var& root, const Tensor& seed) {
  OCCAM_CHECK(seed.shape() == root.shape(), "backward: seed ", seed.shape(), " for root ",
              root.shape());
  if (!root.requires_grad()) return;
  // Reverse topological order by an iterative depth-first search.
  // `order` owns the nodes, so freeing a node's inputs below cannot free one still to visit.
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack{{root.node_ptr(), 0}};
  seen.insert(root.node());
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const std::shared_ptr<Node>& in = node->inputs[next++];
      if (in->requires_grad && seen.insert(in.get()).second) stack.push_back({in, 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  for (const auto& node : order) node->consumers = 0;
  for (const auto& node : order)
    for (const auto& in : node->inputs)
      if (in->requires_grad) ++in->consumers;
  Tensor& g = root.node()->ensure_grad();
  for (int64_t i = 0; i < g.numel(); ++i) g[i] += seed[i];
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* n = it->get();
    if (!n->backward) continue;  // a leaf: keep its gradient
    if (n->grad.defined()) n->backward(*n);
    // The graph is consumed: free what the op saved, and its gradient.
    n->backward = nullptr;
    n->grad = Tensor();
    n->grad_copy = {};
    n->value_copy = {};
    n->inputs.clear();
  }
}

}  // namespace occam
