// Differentiable tensor ops. Each is defined in one function with its backward
// (elementwise.cpp, reduce.cpp, linalg.cpp, shape.cpp). Binary elementwise ops broadcast as
// NumPy does (trailing dimensions aligned; size-1 or missing dimensions repeat).
#pragma once

#include <vector>

#include "occam/autograd/var.h"

namespace occam {

// ---- elementwise, binary (broadcasting) ----
Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var div(const Var& a, const Var& b);
Var maximum(const Var& a, const Var& b);  // gradient goes to a where a >= b, else to b
Var minimum(const Var& a, const Var& b);  // gradient goes to a where a <= b, else to b

// ---- elementwise, with a constant ----
Var scale(const Var& x, float s);             // s·x
Var add_scalar(const Var& x, float s);        // x + s
Var clamp(const Var& x, float lo, float hi);  // gradient 1 inside [lo, hi], 0 outside

// ---- elementwise, unary ----
Var neg(const Var& x);
Var square(const Var& x);
Var abs(const Var& x);  // gradient sign(x), 0 at x = 0 (as torch and TF)
Var sqrt(const Var& x);
Var rsqrt(const Var& x);
Var exp(const Var& x);
Var log(const Var& x);
Var relu(const Var& x);
// min(max(x, 0), 6). Gradient 1 for 0 < x < 6 and 0 elsewhere, at x = 0 and x = 6 included: as
// torch (relu6 is hardtanh(x, 0, 6), whose backward passes dy where min_val < x < max_val) and
// TF (Relu6Grad: dy·(x > 0)·(x < 6)). Not clamp(x, 0, 6), whose gradient is 1 at the bounds.
Var relu6(const Var& x);
Var leaky_relu(const Var& x, float negative_slope = 0.01f);  // torch default; Keras 0.3 (set it)
Var sigmoid(const Var& x);
Var tanh(const Var& x);
Var gelu(const Var& x);  // exact: x·Φ(x), Φ the standard normal CDF (erf form)

// ---- reductions ----
Var sum(const Var& x);   // all elements, shape []
Var mean(const Var& x);  // all elements, shape []
// Sum over `axes` (negative counts from the end); reduced dims kept as size 1 when keepdims.
Var sum(const Var& x, std::vector<int> axes, bool keepdims = false);
Var mean(const Var& x, std::vector<int> axes, bool keepdims = false);

// ---- linear algebra ----
// y = a·b   a [M,K]   b [K,N]   y [M,N]
Var matmul(const Var& a, const Var& b);
// y = x·W + b   x [N,in]   W [in,out]   b [out] (may be undefined)   y [N,out]
Var dense(const Var& x, const Var& w, const Var& b);
// relu(dense(x, w, b)) fused: the same numbers, one tape node, no separate ReLU tensor.
Var dense_relu(const Var& x, const Var& w, const Var& b);
Var transpose(const Var& x);  // 2-D: [M,N] → [N,M]

// ---- shape (an axis may be negative, counting from the end) ----
Var reshape(const Var& x, Shape shape);  // one dim may be -1 (inferred); the same data, row-major
Var flatten(const Var& x);               // [N, ...] → [N, prod(...)], row-major (c,h,w)
// The inputs end to end along `axis`; every other dim must agree. [2,3,4] ++ [2,5,4] on axis 1
// (or −2) → [2,8,4].
Var concat(const std::vector<Var>& xs, int axis);
// x[…, start:stop, …] on `axis`, 0 <= start <= stop <= x.dim(axis) (no negative indices).
Var slice(const Var& x, int axis, int64_t start, int64_t stop);
// y's axis d is x's axis perm[d], any rank: NCHW → NHWC is permute(x, {0, 2, 3, 1}).
Var permute(const Var& x, std::vector<int> perm);

// ---- operators ----
inline Var operator+(const Var& a, const Var& b) { return add(a, b); }
inline Var operator-(const Var& a, const Var& b) { return sub(a, b); }
inline Var operator*(const Var& a, const Var& b) { return mul(a, b); }
inline Var operator/(const Var& a, const Var& b) { return div(a, b); }
inline Var operator-(const Var& x) { return neg(x); }
inline Var operator*(float s, const Var& x) { return scale(x, s); }
inline Var operator*(const Var& x, float s) { return scale(x, s); }
inline Var operator/(const Var& x, float s) { return scale(x, 1.f / s); }
inline Var operator+(const Var& x, float s) { return add_scalar(x, s); }
inline Var operator+(float s, const Var& x) { return add_scalar(x, s); }
inline Var operator-(const Var& x, float s) { return add_scalar(x, -s); }
inline Var operator-(float s, const Var& x) { return add_scalar(neg(x), s); }

// The shape a broadcasting binary op produces; throws naming `op` and both shapes.
Shape broadcast_shape(const char* op, const Shape& a, const Shape& b);

}  // namespace occam
