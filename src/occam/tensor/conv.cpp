#include "occam/tensor/conv.h"

#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "occam/error.h"

namespace occam::kernels {

namespace {
std::string describe(const Conv2dShape& s) {
  return detail::concat("x [", s.N, ",", s.C, ",", s.H, ",", s.W, "], kernel [", s.O, ",", s.C, ",",
                        s.KH, ",", s.KW, "], stride [", s.stride_h, ",", s.stride_w,
                        "], padding [top ", s.pad_top, ", bottom ", s.pad_bottom, ", left ",
                        s.pad_left, ", right ", s.pad_right, "]");
}
}  // namespace

void check_conv2d_shape(const Conv2dShape& s) {
  OCCAM_CHECK(s.N >= 0 && s.C > 0 && s.H > 0 && s.W > 0 && s.O > 0 && s.KH > 0 && s.KW > 0,
              "conv2d: expected positive sizes, got ", describe(s));
  OCCAM_CHECK(s.stride_h > 0 && s.stride_w > 0, "conv2d: expected strides >= 1, got ", describe(s));
  OCCAM_CHECK(s.pad_top >= 0 && s.pad_bottom >= 0 && s.pad_left >= 0 && s.pad_right >= 0,
              "conv2d: expected padding >= 0, got ", describe(s));
  OCCAM_CHECK(s.pad_top + s.H + s.pad_bottom >= s.KH && s.pad_left + s.W + s.pad_right >= s.KW,
              "conv2d: kernel ", s.KH, "x", s.KW, " larger than the padded input ",
              s.pad_top + s.H + s.pad_bottom, "x", s.pad_left + s.W + s.pad_right, " (",
              describe(s), ")");
}

// ---- oneDNN ----
// Plain nchw/oihw memory for now: no reorders, and the primitives read and write Occam's
// buffers directly. Blocked formats (nChw16c) are the next step for speed.

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

struct ConvPrimitives {
  memory::desc x, w, b, y;
  dnnl::convolution_forward forward;
  dnnl::convolution_backward_data backward_data;
  dnnl::convolution_backward_weights backward_weights;
};

ConvPrimitives make_primitives(const Conv2dShape& s) {
  ConvPrimitives p;
  p.x = memory::desc({s.N, s.C, s.H, s.W}, dt::f32, tag::nchw);
  p.w = memory::desc({s.O, s.C, s.KH, s.KW}, dt::f32, tag::oihw);
  p.b = memory::desc({s.O}, dt::f32, tag::x);
  p.y = memory::desc({s.N, s.O, s.out_h(), s.out_w()}, dt::f32, tag::nchw);
  const memory::dims strides{s.stride_h, s.stride_w};
  const memory::dims pad_l{s.pad_top, s.pad_left}, pad_r{s.pad_bottom, s.pad_right};
  const auto alg = dnnl::algorithm::convolution_direct;
  const dnnl::engine& engine = cpu_engine();

  const dnnl::convolution_forward::primitive_desc fwd(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, p.x, p.w, p.b, p.y,
                                      strides, pad_l, pad_r),
      engine);
  const dnnl::convolution_backward_data::primitive_desc bwd_data(
      dnnl::convolution_backward_data::desc(alg, p.x, p.w, p.y, strides, pad_l, pad_r), engine,
      fwd);
  const dnnl::convolution_backward_weights::primitive_desc bwd_weights(
      dnnl::convolution_backward_weights::desc(alg, p.x, p.w, p.b, p.y, strides, pad_l, pad_r),
      engine, fwd);
  p.forward = dnnl::convolution_forward(fwd);
  p.backward_data = dnnl::convolution_backward_data(bwd_data);
  p.backward_weights = dnnl::convolution_backward_weights(bwd_weights);
  return p;
}

// Primitives are created once per shape. This cache is not state that changes numbers: a
// primitive depends only on its shape. std::map never moves its nodes, so the reference stays
// valid after the lock is released.
const ConvPrimitives& primitives_for(const Conv2dShape& s) {
  static std::mutex mutex;
  static std::map<Conv2dShape, ConvPrimitives> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(s);
  if (it == cache.end()) {
    try {
      it = cache.emplace(s, make_primitives(s)).first;
    } catch (const dnnl::error& e) {
      OCCAM_CHECK(false, "conv2d: oneDNN could not create the primitives for ", describe(s), ": ",
                  e.what());
    }
  }
  return it->second;
}

memory wrap(const memory::desc& md, const float* data) {
  return memory(md, cpu_engine(), const_cast<float*>(data));
}

void run(const dnnl::primitive& prim, const std::unordered_map<int, memory>& args) {
  dnnl::stream stream(cpu_engine());
  prim.execute(stream, args);
  stream.wait();
}

// out[i] += add[i]: oneDNN writes its outputs, Occam's backward kernels accumulate.
void accumulate(float* out, const std::vector<float>& add) {
  const int64_t n = static_cast<int64_t>(add.size());
#pragma omp parallel for simd if (n > (1 << 15))
  for (int64_t i = 0; i < n; ++i) out[i] += add[i];
}

}  // namespace

void conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* b,
                    float* y) {
  check_conv2d_shape(s);
  if (s.N == 0) return;
  const ConvPrimitives& p = primitives_for(s);
  std::vector<float> zero_bias;
  if (!b) {
    zero_bias.assign(s.O, 0.f);
    b = zero_bias.data();
  }
  run(p.forward, {{DNNL_ARG_SRC, wrap(p.x, x)},
                  {DNNL_ARG_WEIGHTS, wrap(p.w, w)},
                  {DNNL_ARG_BIAS, wrap(p.b, b)},
                  {DNNL_ARG_DST, wrap(p.y, y)}});
}

void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  check_conv2d_shape(s);
  if (s.N == 0) return;
  const ConvPrimitives& p = primitives_for(s);
  std::vector<float> dx_new(s.N * s.C * s.H * s.W);
  run(p.backward_data, {{DNNL_ARG_DIFF_DST, wrap(p.y, dy)},
                        {DNNL_ARG_WEIGHTS, wrap(p.w, w)},
                        {DNNL_ARG_DIFF_SRC, wrap(p.x, dx_new.data())}});
  accumulate(dx, dx_new);
}

void conv2d_backward_weights(const Conv2dShape& s, const float* dy, const float* x, float* dw,
                             float* db) {
  check_conv2d_shape(s);
  if (s.N == 0 || (!dw && !db)) return;
  const ConvPrimitives& p = primitives_for(s);
  std::vector<float> dw_new(s.O * s.C * s.KH * s.KW), db_new(s.O);
  run(p.backward_weights, {{DNNL_ARG_SRC, wrap(p.x, x)},
                           {DNNL_ARG_DIFF_DST, wrap(p.y, dy)},
                           {DNNL_ARG_DIFF_WEIGHTS, wrap(p.w, dw_new.data())},
                           {DNNL_ARG_DIFF_BIAS, wrap(p.b, db_new.data())}});
  if (dw) accumulate(dw, dw_new);
  if (db) accumulate(db, db_new);
}

// ---- reference loops ----
// Row-major x[n,c,h,v], w[o,c,p,q], y[n,o,i,j]; (h, v) is the input pixel under kernel tap (p, q)
// of output pixel (i, j), skipped when it falls in the zero padding.

namespace reference {

void conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* b,
                    float* y) {
  check_conv2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w();
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t o = 0; o < s.O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          double acc = b ? b[o] : 0.0;
          for (int64_t c = 0; c < s.C; ++c)
            for (int64_t p = 0; p < s.KH; ++p)
              for (int64_t q = 0; q < s.KW; ++q) {
                const int64_t h = i * s.stride_h + p - s.pad_top;
                const int64_t v = j * s.stride_w + q - s.pad_left;
                if (h < 0 || h >= s.H || v < 0 || v >= s.W) continue;  // zero padding
                acc += double(x[((n * s.C + c) * s.H + h) * s.W + v]) *
                       w[((o * s.C + c) * s.KH + p) * s.KW + q];
              }
          y[((n * s.O + o) * OH + i) * OW + j] = float(acc);
        }
}

void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  check_conv2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w();
  // Scatter each dy through the window it came from: dx[n,c,h,v] += dy[n,o,i,j]·w[o,c,p,q].
  std::vector<double> acc(s.N * s.C * s.H * s.W, 0.0);
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t o = 0; o < s.O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          const double g = dy[((n * s.O + o) * OH + i) * OW + j];
          for (int64_t c = 0; c < s.C; ++c)
            for (int64_t p = 0; p < s.KH; ++p)
              for (int64_t q = 0; q < s.KW; ++q) {
                const int64_t h = i * s.stride_h + p - s.pad_top;
                const int64_t v = j * s.stride_w + q - s.pad_left;
                if (h < 0 || h >= s.H || v < 0 || v >= s.W) continue;
                acc[((n * s.C + c) * s.H + h) * s.W + v] +=
                    g * w[((o * s.C + c) * s.KH + p) * s.KW + q];
              }
        }
  for (size_t k = 0; k < acc.size(); ++k) dx[k] += float(acc[k]);
}

void conv2d_backward_weights(const Conv2dShape& s, const float* dy, const float* x, float* dw,
                             float* db) {
  check_conv2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w();
  // dw[o,c,p,q] += Σ_{n,i,j} dy[n,o,i,j]·x[n,c,h,v];   db[o] += Σ_{n,i,j} dy[n,o,i,j]
  for (int64_t o = 0; o < s.O; ++o) {
    if (db) {
      double acc = 0;
      for (int64_t n = 0; n < s.N; ++n)
        for (int64_t k = 0; k < OH * OW; ++k) acc += dy[(n * s.O + o) * OH * OW + k];
      db[o] += float(acc);
    }
    if (!dw) continue;
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t p = 0; p < s.KH; ++p)
        for (int64_t q = 0; q < s.KW; ++q) {
          double acc = 0;
          for (int64_t n = 0; n < s.N; ++n)
            for (int64_t i = 0; i < OH; ++i)
              for (int64_t j = 0; j < OW; ++j) {
                const int64_t h = i * s.stride_h + p - s.pad_top;
                const int64_t v = j * s.stride_w + q - s.pad_left;
                if (h < 0 || h >= s.H || v < 0 || v >= s.W) continue;
                acc += double(dy[((n * s.O + o) * OH + i) * OW + j]) *
                       x[((n * s.C + c) * s.H + h) * s.W + v];
              }
          dw[((o * s.C + c) * s.KH + p) * s.KW + q] += float(acc);
        }
  }
}

}  // namespace reference

}  // namespace occam::kernels
