#include "occam/tensor/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "occam/tensor/storage.h"

namespace occam {

std::ostream& operator<<(std::ostream& os, const std::vector<int64_t>& shape) {
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? "," : "") << shape[i];
  return os << ']';
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::ostringstream os;
  os << shape;
  return os.str();
}

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    OCCAM_CHECK(d >= 0, "tensor: negative dimension in shape ", shape);
    n *= d;
  }
  return n;
}

Tensor Tensor::empty(Shape shape) {
  Tensor t;
  t.numel_ = numel_of(shape);
  t.shape_ = std::move(shape);
  t.storage_ = allocate_storage(t.numel_);
  return t;
}

Tensor::Tensor(Shape shape) : Tensor(empty(std::move(shape))) { fill(0.f); }

Tensor Tensor::full(Shape shape, float value) {
  Tensor t = empty(std::move(shape));
  t.fill(value);
  return t;
}

Tensor Tensor::from(Shape shape, std::vector<float> values) {
  Tensor t = empty(std::move(shape));
  OCCAM_CHECK(static_cast<int64_t>(values.size()) == t.numel_, "Tensor::from: shape ", t.shape_,
              " holds ", t.numel_, " values, got ", values.size());
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

int64_t Tensor::dim(int i) const {
  const int r = rank();
  OCCAM_CHECK(i >= -r && i < r, "tensor: dim ", i, " out of range for shape ", shape_);
  return shape_[i < 0 ? i + r : i];
}

float Tensor::item() const {
  OCCAM_CHECK(numel_ == 1, "item: expected a one-element tensor, got shape ", shape_);
  return storage_[0];
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor t = empty(shape_);
  std::memcpy(t.data(), data(), numel_ * sizeof(float));
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  OCCAM_CHECK(numel_of(shape) == numel_, "reshape: cannot view ", shape_, " as ", shape);
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

void Tensor::fill(float value) { std::fill_n(data(), numel_, value); }

void Tensor::copy_from(const Tensor& other) {
  OCCAM_CHECK(other.numel_ == numel_, "copy_from: ", other.shape_, " into ", shape_);
  std::memcpy(data(), other.data(), numel_ * sizeof(float));
}

}  // namespace occam
