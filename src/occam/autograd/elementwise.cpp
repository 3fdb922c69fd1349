// Elementwise ops: forward and backward side by side.
#include <cmath>

#include "occam/autograd/broadcast.h"
#include "occam/autograd/ops.h"

namespace occam {

namespace {

constexpr int64_t kParallelMin = 1 << 17;  // below this, waking threads costs more than they save

// y = f(a, b) with broadcasting; da += ga(a, b, y)·dy, db += gb(a, b, y)·dy.
template <class F, class GA, class GB>
Var binary(const char* op, const Var& a, const Var& b, F f, GA ga, GB gb) {
  Tensor y = Tensor::empty(broadcast_shape(op, a.shape(), b.shape()));
  const float* pa = a.value().data();
  const float* pb = b.value().data();
  float* py = y.data();
  const bool same = a.shape() == b.shape();
  if (same) {
    const int64_t n = y.numel();
#pragma omp parallel for simd if (parallel : n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) py[i] = f(pa[i], pb[i]);
  } else {
    detail::Broadcast(y.shape(), a.shape(), b.shape())
        .for_each([&](int64_t i, int64_t ia, int64_t ib) { py[i] = f(pa[ia], pb[ib]); });
  }
  return record(op, std::move(y), {a, b}, [ga, gb, same](Node& n) {
    const float* pa = n.input(0).data();
    const float* pb = n.input(1).data();
    const float* py = n.value.data();
    const float* dy = n.grad.data();
    if (same) {
      // A fresh gradient buffer is written, an existing one added to (a and b may be one node:
      // then the second loop adds to what the first wrote).
      const int64_t count = n.value.numel();
      if (n.needs_grad(0)) {
        const bool write = n.first_grad_of(0);
        float* da = n.grad_of(0).data();
        if (write)
#pragma omp parallel for simd if (parallel : count > kParallelMin)
          for (int64_t i = 0; i < count; ++i) da[i] = ga(pa[i], pb[i], py[i]) * dy[i];
        else
#pragma omp parallel for simd if (parallel : count > kParallelMin)
          for (int64_t i = 0; i < count; ++i) da[i] += ga(pa[i], pb[i], py[i]) * dy[i];
      }
      if (n.needs_grad(1)) {
        const bool write = n.first_grad_of(1);
        float* db = n.grad_of(1).data();
        if (write)
#pragma omp parallel for simd if (parallel : count > kParallelMin)
          for (int64_t i = 0; i < count; ++i) db[i] = gb(pa[i], pb[i], py[i]) * dy[i];
        else
#pragma omp parallel for simd if (parallel : count > kParallelMin)
          for (int64_t i = 0; i < count; ++i) db[i] += gb(pa[i], pb[i], py[i]) * dy[i];
      }
      return;
    }
    float* da = n.needs_grad(0) ? n.grad_of(0).data() : nullptr;
    float* db = n.needs_grad(1) ? n.grad_of(1).data() : nullptr;
    detail::Broadcast(n.value.shape(), n.input(0).shape(), n.input(1).shape())
        .for_each([&](int64_t i, int64_t ia, int64_t ib) {
          if (da) da[ia] += ga(pa[ia], pb[ib], py[i]) * dy[i];
          if (db) db[ib] += gb(pa[ia], pb[ib], py[i]) * dy[i];
        });
  });
}

// y = f(x); dx += g(x, y)·dy.
template <class F, class G>
Var unary(const char* op, const Var& x, F f, G g) {
  Tensor y = Tensor::empty(x.shape());
  const float* px = x.value().data();
  float* py = y.data();
  const int64_t n = y.numel();
#pragma omp parallel for simd if (parallel : n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) py[i] = f(px[i]);
  return record(op, std::move(y), {x}, [g](Node& node) {
    const float* px = node.input(0).data();
    const float* py = node.value.data();
    const float* dy = node.grad.data();
    const bool write = node.first_grad_of(0);  // a fresh buffer is written, not added to
    float* dx = node.grad_of(0).data();
    const int64_t count = node.value.numel();
    if (write)
#pragma omp parallel for simd if (parallel : count > kParallelMin)
      for (int64_t i = 0; i < count; ++i) dx[i] = g(px[i], py[i]) * dy[i];
    else
#pragma omp parallel for simd if (parallel : count > kParallelMin)
      for (int64_t i = 0; i < count; ++i) dx[i] += g(px[i], py[i]) * dy[i];
  });
}

}  // namespace

Var add(const Var& a, const Var& b) {
  return binary(
      "add", a, b, [](float x, float y) { return x + y; }, [](float, float, float) { return 1.f; },
      [](float, float, float) { return 1.f; });
}
Var sub(const Var& a, const Var& b) {
  return binary(
      "sub", a, b, [](float x, float y) { return x - y; }, [](float, float, float) { return 1.f; },
      [](float, float, float) { return -1.f; });
}
Var mul(const Var& a, const Var& b) {
  return binary(
      "mul", a, b, [](float x, float y) { return x * y; }, [](float, float y, float) { return y; },
      [](float x, float, float) { return x; });
}
Var div(const Var& a, const Var& b) {
  return binary(
      "div", a, b, [](float x, float y) { return x / y; },
      [](float, float y, float) { return 1.f / y; },
      [](float, float y, float q) { return -q / y; });
}
Var maximum(const Var& a, const Var& b) {
  return binary(
      "maximum", a, b, [](float x, float y) { return x >= y ? x : y; },
      [](float x, float y, float) { return x >= y ? 1.f : 0.f; },
      [](float x, float y, float) { return x >= y ? 0.f : 1.f; });
}
Var minimum(const Var& a, const Var& b) {
  return binary(
      "minimum", a, b, [](float x, float y) { return x <= y ? x : y; },
      [](float x, float y, float) { return x <= y ? 1.f : 0.f; },
      [](float x, float y, float) { return x <= y ? 0.f : 1.f; });
}

Var scale(const Var& x, float s) {
  return unary(
      "scale", x, [s](float v) { return s * v; }, [s](float, float) { return s; });
}
Var add_scalar(const Var& x, float s) {
  return unary(
      "add_scalar", x, [s](float v) { return v + s; }, [](float, float) { return 1.f; });
}
Var clamp(const Var& x, float lo, float hi) {
  OCCAM_CHECK(lo <= hi, "clamp: expected lo <= hi, got ", lo, " > ", hi);
  return unary(
      "clamp", x, [lo, hi](float v) { return v < lo ? lo : (v > hi ? hi : v); },
      [lo, hi](float v, float) { return v >= lo && v <= hi ? 1.f : 0.f; });
}

Var neg(const Var& x) {
  return unary(
      "neg", x, [](float v) { return -v; }, [](float, float) { return -1.f; });
}
Var square(const Var& x) {
  return unary(
      "square", x, [](float v) { return v * v; }, [](float v, float) { return 2.f * v; });
}
Var abs(const Var& x) {
  return unary(
      "abs", x, [](float v) { return std::fabs(v); },
      [](float v, float) { return v > 0.f ? 1.f : (v < 0.f ? -1.f : 0.f); });
}
Var sqrt(const Var& x) {
  return unary(
      "sqrt", x, [](float v) { return std::sqrt(v); }, [](float, float y) { return 0.5f / y; });
}
Var rsqrt(const Var& x) {
  return unary(
      "rsqrt", x, [](float v) { return 1.f / std::sqrt(v); },
      [](float v, float y) { return -0.5f * y / v; });
}
Var exp(const Var& x) {
  return unary(
      "exp", x, [](float v) { return std::exp(v); }, [](float, float y) { return y; });
}
Var log(const Var& x) {
  return unary(
      "log", x, [](float v) { return std::log(v); }, [](float v, float) { return 1.f / v; });
}
Var relu(const Var& x) {
  return unary(
      "relu", x, [](float v) { return v > 0.f ? v : 0.f; },
      [](float, float y) { return y > 0.f ? 1.f : 0.f; });
}
Var relu6(const Var& x) {
  return unary(
      "relu6", x, [](float v) { return v > 0.f ? (v < 6.f ? v : 6.f) : 0.f; },
      [](float v, float) { return v > 0.f && v < 6.f ? 1.f : 0.f; });
}
Var leaky_relu(const Var& x, float slope) {
  return unary(
      "leaky_relu", x, [slope](float v) { return v > 0.f ? v : slope * v; },
      [slope](float v, float) { return v > 0.f ? 1.f : slope; });
}
Var sigmoid(const Var& x) {
  // 1/(1+e^-v) for v >= 0 and e^v/(1+e^v) below, so neither branch overflows.
  return unary(
      "sigmoid", x,
      [](float v) {
        if (v >= 0.f) return 1.f / (1.f + std::exp(-v));
        const float e = std::exp(v);
        return e / (1.f + e);
      },
      [](float, float y) { return y * (1.f - y); });
}
Var tanh(const Var& x) {
  return unary(
      "tanh", x, [](float v) { return std::tanh(v); }, [](float, float y) { return 1.f - y * y; });
}
Var gelu(const Var& x) {
  // y = x·Φ(x), Φ(x) = (1 + erf(x/√2))/2;  dy/dx = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)
  return unary(
      "gelu", x, [](float v) { return 0.5f * v * (1.f + std::erf(v * float(M_SQRT1_2))); },
      [](float v, float) {
        const float cdf = 0.5f * (1.f + std::erf(v * float(M_SQRT1_2)));
        const float pdf = std::exp(-0.5f * v * v) * float(0.5 * M_2_SQRTPI * M_SQRT1_2);
        return cdf + v * pdf;
      });
}

}  // namespace occam
