// A tensor's data in the layout a kernel library chose (oneDNN's blocked nChw16c), held beside
// the plain tensor it copies. One convolution hands it to the next: its output as the next one's
// input, and the next one's input gradient back as its output gradient, so that neither is
// reordered twice. `layout` identifies the layout (a oneDNN memory descriptor owned by the
// convolution primitive cache, compared by value in tensor/conv.cpp).
#pragma once

#include "occam/tensor/tensor.h"

namespace occam::kernels {

struct LayoutCopy {
  Tensor data;
  const void* layout = nullptr;
  bool defined() const { return data.defined(); }
};

}  // namespace occam::kernels
