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

void Layer::rename(const std::string& name) {
  set_name(name);
  for (Parameter* p : parameters()) p->name = scoped(last_part(p->name));
  for (Buffer* b : buffers()) b->name = scoped(last_part(b->name));
}

}  // namespace occam::nn
