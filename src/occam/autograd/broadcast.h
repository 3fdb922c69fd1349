// Index mapping for broadcasting: for each element of the output, the element of a and of b.
#pragma once

#include <vector>

#include "occam/tensor/tensor.h"

namespace occam::detail {

struct Broadcast {
  Shape out;
  std::vector<int64_t> stride_a, stride_b;  // per output dim; 0 where the input repeats

  Broadcast(const Shape& out_shape, const Shape& a, const Shape& b);

  // f(i_out, i_a, i_b) for every output element, in row-major order.
  template <class F>
  void for_each(F&& f) const {
    const int r = static_cast<int>(out.size());
    const int64_t n = numel_of(out);
    if (n == 0) return;
    std::vector<int64_t> idx(r, 0);
    int64_t ia = 0, ib = 0;
    for (int64_t i = 0; i < n; ++i) {
      f(i, ia, ib);
      for (int d = r - 1; d >= 0; --d) {
        ia += stride_a[d];
        ib += stride_b[d];
        if (++idx[d] < out[d]) break;
        ia -= stride_a[d] * out[d];
        ib -= stride_b[d] * out[d];
        idx[d] = 0;
      }
    }
  }
};

}  // namespace occam::detail
