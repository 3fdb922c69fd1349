// Softmax and log-softmax over the last axis, x viewed as [rows, C]. Both subtract the row
// maximum first, so e^x cannot overflow.
#include <algorithm>
#include <cmath>

#include "occam/autograd/nn_ops.h"

namespace occam {

namespace {
constexpr int64_t kParallelMin = 1 << 15;  // below this many elements, one thread is faster

struct Rows {
  int64_t rows, C;
};
Rows rows_of(const char* op, const Var& x) {
  OCCAM_CHECK(x.rank() >= 1 && x.dim(-1) > 0, op, ": expected x [N,C] with C >= 1, got ",
              x.shape());
  return {x.numel() / x.dim(-1), x.dim(-1)};
}
}  // namespace

// y = e^(x − m) / Σ e^(x − m), m the row max;   dx += y·(dy − Σ_row dy·y)
Var softmax(const Var& x) {
  const Rows shape = rows_of("softmax", x);
  const int64_t rows = shape.rows, C = shape.C;
  Tensor y = Tensor::empty(x.shape());
  const float* px = x.value().data();
  float* py = y.data();
#pragma omp parallel for if (rows * C > kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = px + r * C;
    float* yr = py + r * C;
    float m = xr[0];
    for (int64_t c = 1; c < C; ++c) m = std::max(m, xr[c]);
    double total = 0;
    for (int64_t c = 0; c < C; ++c) {
      yr[c] = std::exp(xr[c] - m);
      total += yr[c];
    }
    const float inv = float(1.0 / total);
    for (int64_t c = 0; c < C; ++c) yr[c] *= inv;
  }
  return record("softmax", std::move(y), {x}, [rows, C](Node& n) {
    const float* py = n.value.data();
    const float* dy = n.grad.data();
    float* dx = n.grad_of(0).data();
#pragma omp parallel for if (rows * C > kParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      double dot = 0;
      for (int64_t c = 0; c < C; ++c) dot += double(dy[r * C + c]) * py[r * C + c];
      for (int64_t c = 0; c < C; ++c) dx[r * C + c] += py[r * C + c] * (dy[r * C + c] - float(dot));
    }
  });
}

// y = x − m − log Σ e^(x − m);   dx += dy − e^y·Σ_row dy
Var log_softmax(const Var& x) {
  const Rows shape = rows_of("log_softmax", x);
  const int64_t rows = shape.rows, C = shape.C;
  Tensor y = Tensor::empty(x.shape());
  const float* px = x.value().data();
  float* py = y.data();
#pragma omp parallel for if (rows * C > kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = px + r * C;
    float m = xr[0];
    for (int64_t c = 1; c < C; ++c) m = std::max(m, xr[c]);
    double total = 0;
    for (int64_t c = 0; c < C; ++c) total += std::exp(double(xr[c]) - m);
    const float log_total = float(std::log(total));
    for (int64_t c = 0; c < C; ++c) py[r * C + c] = (xr[c] - m) - log_total;
  }
  return record("log_softmax", std::move(y), {x}, [rows, C](Node& n) {
    const float* py = n.value.data();
    const float* dy = n.grad.data();
    float* dx = n.grad_of(0).data();
#pragma omp parallel for if (rows * C > kParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      double total = 0;
      for (int64_t c = 0; c < C; ++c) total += dy[r * C + c];
      for (int64_t c = 0; c < C; ++c)
        dx[r * C + c] += dy[r * C + c] - std::exp(py[r * C + c]) * float(total);
    }
  });
}

}  // namespace occam
