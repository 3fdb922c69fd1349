// Tensor: contiguous row-major float32, 64-byte aligned, with a shape. Copies share storage
// (like a shared_ptr); clone() copies the data. Images are NCHW, conv kernels OIHW,
// dense kernels [in, out].
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "occam/error.h"

namespace occam {

using Shape = std::vector<int64_t>;

int64_t numel_of(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // A zero-filled tensor. Throws if a dimension is negative.
  explicit Tensor(Shape shape);

  static Tensor zeros(Shape shape) { return Tensor(std::move(shape)); }
  static Tensor empty(Shape shape);  // uninitialized
  static Tensor full(Shape shape, float value);
  static Tensor ones(Shape shape) { return full(std::move(shape), 1.f); }
  static Tensor scalar(float value) { return full({}, value); }
  static Tensor from(Shape shape, std::vector<float> values);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const;  // negative counts from the end
  int64_t numel() const { return numel_; }

  float* data() { return storage_.get(); }
  const float* data() const { return storage_.get(); }
  std::span<float> span() { return {data(), static_cast<size_t>(numel_)}; }
  std::span<const float> span() const { return {data(), static_cast<size_t>(numel_)}; }
  float& operator[](int64_t i) { return storage_.get()[i]; }
  float operator[](int64_t i) const { return storage_.get()[i]; }
  float item() const;  // the value of a one-element tensor

  Tensor clone() const;
  // The same storage seen with another shape of the same element count.
  Tensor reshaped(Shape shape) const;
  void fill(float value);
  void copy_from(const Tensor& other);  // same element count
  bool same_storage(const Tensor& other) const { return storage_ == other.storage_; }

 private:
  std::shared_ptr<float[]> storage_;
  Shape shape_;
  int64_t numel_ = 0;
};

}  // namespace occam
