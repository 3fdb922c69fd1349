#include "occam/nn/layer.h"

namespace occam::nn {

namespace {
std::string_view last_part(std::string_view name) {
  const auto slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}
}  // namespace

std::string Layer::scoped(std::string_view what) const {
  return name_.empty() ? std::string(what) : name_ + "/" + std::string(what);
}

void Layer::attach(const Attachments& a) {
  auto find = [&](const std::string& role) -> Parameter& {
    std::string roles;
    for (Parameter* p : parameters()) {
      if (last_part(p->name) == role) return *p;
      roles += (roles.empty() ? "" : ", ") + std::string(last_part(p->name));
    }
    throw Error(label() + " has no parameter '" + role + "'" +
                (roles.empty() ? std::string(" (it has no parameters)")
                               : " (its parameters: " + roles + ")"));
  };
  for (const auto& [role, r] : a.regularizers)
    if (r) find(role).regularizer = r->clone();
  for (const auto& [role, c] : a.constraints)
    if (c) find(role).constraint = c->clone();
  if (a.activity) activity_regularizer = a.activity->clone();
  if (!a.trainable)
    for (Parameter* p : parameters()) p->trainable = false;
}

void Layer::rename(const std::string& name) {
  set_name(name);
  for (Parameter* p : parameters()) p->name = scoped(last_part(p->name));
  for (Buffer* b : buffers()) b->name = scoped(last_part(b->name));
}

}  // namespace occam::nn
