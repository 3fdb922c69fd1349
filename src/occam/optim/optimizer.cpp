#include "occam/optim/optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "occam/tensor/parallel.h"

namespace occam::optim {

namespace detail {
std::string coefficient(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(v));
  return buf;
}
}  // namespace detail

Optimizer::Optimizer(std::vector<nn::Parameter*> params, std::vector<std::string> buffer_names,
                     bool counts_steps)
    : params_(std::move(params)),
      buffer_names_(std::move(buffer_names)),
      counts_steps_(counts_steps),
      slots_(params_.size(), Slot{0, std::vector<Tensor>(buffer_names_.size())}) {
  std::unordered_set<std::string> names;
  for (size_t i = 0; i < params_.size(); ++i) {
    OCCAM_CHECK(params_[i] != nullptr, "optimizer: parameter ", i, " is null");
    OCCAM_CHECK(names.insert(params_[i]->name).second, "optimizer: two parameters are named '",
                params_[i]->name, "'; optimizer state is keyed by name");
  }
}

void Optimizer::step(float lr) {
  OCCAM_CHECK(std::isfinite(lr) && lr >= 0.f, name(),
              ": expected a finite learning rate >= 0, got ", lr);
  std::vector<size_t> active;
  int64_t total = 0;
  bool allocates = false;  // some parameter's first update: its state is created in update()
  for (size_t i = 0; i < params_.size(); ++i) {
    nn::Parameter& p = *params_[i];
    if (!p.trainable || !p.value.grad().defined()) continue;
    ++slots_[i].step;
    active.push_back(i);
    total += p.numel();
    for (const Tensor& b : slots_[i].buffers) allocates = allocates || !b.defined();
  }
  // A step that creates state, or a small model, runs on this thread alone. Otherwise every
  // parameter is cut into ranges that the task pool hands out: one batch of tasks for all the
  // updates, run by the worker that the backward pass's products have just kept awake.
  if (allocates || total <= detail::kParallelMin) {
    for (size_t i : active)
      update(params_[i]->data(), params_[i]->value.grad(), slots_[i], lr, {0, params_[i]->numel()});
    return;
  }
  chunks_.clear();
  for (size_t i : active)
    for (int64_t b = 0, n = params_[i]->numel(); b < n; b += detail::kChunk)
      chunks_.push_back({i, {b, std::min(n, b + detail::kChunk)}});
  kernels::parallel_tasks(int64_t(chunks_.size()), [&](int64_t k) {
    const Chunk& c = chunks_[size_t(k)];
    update(params_[c.param]->data(), params_[c.param]->value.grad(), slots_[c.param], lr, c.range);
  });
}

void Optimizer::zero_grad() {
  int64_t total = 0;
  for (nn::Parameter* p : params_)
    if (p->value.grad().defined()) total += p->numel();
      // As step(): one parallel region for every buffer, and only for millions of elements (a
      // memset of the MLP's 0.5 M takes about as long as waking the other threads).
#pragma omp parallel if (total > (1 << 21))
  for (nn::Parameter* p : params_) {
    Tensor& g = p->value.grad();
    if (!g.defined()) continue;
    float* d = g.data();
    const int64_t n = g.numel();
#pragma omp for simd schedule(static) nowait
    for (int64_t i = 0; i < n; ++i) d[i] = 0.f;
  }
}

std::vector<NamedTensor> Optimizer::state() const {
  std::vector<NamedTensor> out;
  for (size_t i = 0; i < params_.size(); ++i) {
    const std::string& param = params_[i]->name;
    if (counts_steps_ && slots_[i].step > 0)
      out.push_back({param + "/step", Tensor::scalar(float(slots_[i].step))});
    for (size_t k = 0; k < buffer_names_.size(); ++k)
      if (slots_[i].buffers[k].defined())
        out.push_back({param + "/" + buffer_names_[k], slots_[i].buffers[k].clone()});
  }
  return out;
}

namespace {
std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "nothing" : s;
}
}  // namespace

void Optimizer::load_state(const std::vector<NamedTensor>& state) {
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < params_.size(); ++i) index[params_[i]->name] = i;
  std::vector<std::string> kept = buffer_names_;
  if (counts_steps_) kept.insert(kept.begin(), "step");
  const auto fail = [&](const std::string& entry, const std::string& what) {
    throw CheckpointError("optimizer state: " + entry + ": " + what);
  };

  // Build the new state aside, so a bad entry leaves the optimizer as it was.
  std::vector<Slot> slots(params_.size(), Slot{0, std::vector<Tensor>(buffer_names_.size())});
  std::unordered_set<std::string> seen;
  for (const NamedTensor& e : state) {
    if (!seen.insert(e.name).second) fail(e.name, "appears twice");
    const size_t slash = e.name.rfind('/');
    const auto it = slash == std::string::npos ? index.end() : index.find(e.name.substr(0, slash));
    if (it == index.end()) fail(e.name, "names no parameter of this model");
    const nn::Parameter& p = *params_[it->second];
    Slot& slot = slots[it->second];
    const std::string key = e.name.substr(slash + 1);
    if (counts_steps_ && key == "step") {
      if (e.value.numel() != 1)
        fail(e.name,
             "expected one element (a step count), got shape " + shape_str(e.value.shape()));
      const float v = e.value[0];
      if (!(v >= 1.f && v == std::floor(v)))
        fail(e.name, "expected a whole number of steps >= 1, got " + detail::coefficient(v));
      slot.step = int64_t(v);
      continue;
    }
    const auto k = std::find(buffer_names_.begin(), buffer_names_.end(), key);
    if (k == buffer_names_.end())
      fail(e.name, std::string(name()) + " with these options keeps no '" + key + "' (it keeps " +
                       joined(kept) + ")");
    if (e.value.shape() != p.data().shape())
      fail(e.name, "has shape " + shape_str(e.value.shape()) + ", parameter " + p.name + " has " +
                       shape_str(p.data().shape()));
    slot.buffers[k - buffer_names_.begin()] = e.value.clone();
  }
  // Adam and RMSprop create all their buffers at a parameter's first update, with the step.
  if (counts_steps_)
    for (size_t i = 0; i < slots.size(); ++i) {
      const auto& b = slots[i].buffers;
      const size_t defined =
          std::count_if(b.begin(), b.end(), [](const Tensor& t) { return t.defined(); });
      const bool fresh = slots[i].step == 0 && defined == 0;
      const bool complete = slots[i].step > 0 && defined == b.size();
      if (!fresh && !complete)
        fail(params_[i]->name, "expected all of " + joined(kept) + " or none of them");
    }
  slots_ = std::move(slots);
}

}  // namespace occam::optim
