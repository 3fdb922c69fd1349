#include "occam/tensor/conv.h"

#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "occam/error.h"
#include "occam/tensor/kernel_time.h"
#include "occam/tensor/tensor.h"

namespace occam::kernels {

namespace {
std::string describe(const Conv2dShape& s) {
  const int64_t per_group = s.groups > 0 ? s.C / s.groups : s.C;
  return detail::concat("x [", s.N, ",", s.C, ",", s.H, ",", s.W, "], kernel [", s.O, ",",
                        per_group, ",", s.KH, ",", s.KW, "], stride [", s.stride_h, ",", s.stride_w,
                        "], padding [top ", s.pad_top, ", bottom ", s.pad_bottom, ", left ",
                        s.pad_left, ", right ", s.pad_right, "]",
                        s.groups != 1 ? detail::concat(", groups ", s.groups) : "");
}
}  // namespace

void check_conv2d_shape(const Conv2dShape& s) {
  OCCAM_CHECK(s.N >= 0 && s.C > 0 && s.H > 0 && s.W > 0 && s.O > 0 && s.KH > 0 && s.KW > 0,
              "conv2d: expected positive sizes, got ", describe(s));
  OCCAM_CHECK(s.stride_h > 0 && s.stride_w > 0, "conv2d: expected strides >= 1, got ", describe(s));
  OCCAM_CHECK(s.groups >= 1 && s.C % s.groups == 0 && s.O % s.groups == 0,
              "conv2d: expected groups >= 1 dividing both channel counts, got ", describe(s));
  OCCAM_CHECK(s.pad_top >= 0 && s.pad_bottom >= 0 && s.pad_left >= 0 && s.pad_right >= 0,
              "conv2d: expected padding >= 0, got ", describe(s));
  OCCAM_CHECK(s.pad_top + s.H + s.pad_bottom >= s.KH && s.pad_left + s.W + s.pad_right >= s.KW,
              "conv2d: kernel ", s.KH, "x", s.KW, " larger than the padded input ",
              s.pad_top + s.H + s.pad_bottom, "x", s.pad_left + s.W + s.pad_right, " (",
              describe(s), ")");
}

// ---- oneDNN ----
// The primitives are created with format "any", so oneDNN picks its blocked layouts (nChw16c
// activations, OIhw16i16o weights: ../shared/bench/ANCHORS.md §4 measured them 2.4× faster than
// plain nchw on conv2). Occam's tensors stay plain NCHW/OIHW: each call reorders its inputs into
// the primitive's layout and its outputs back, and a backward output is added to the gradient
// by the reorder itself (a "sum" post-op), not by another pass.

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// A reorder between Occam's plain layout and a primitive's, or nothing when they are equal.
struct Reorder {
  memory::desc from, to;
  std::optional<dnnl::reorder> prim;  // empty: same layout, use the buffer as it is
};

Reorder make_reorder(const memory::desc& from, const memory::desc& to, bool accumulate) {
  Reorder r{from, to, std::nullopt};
  if (from != to || accumulate) {
    dnnl::primitive_attr attr;
    if (accumulate) {
      dnnl::post_ops ops;
      ops.append_sum(1.f);
      attr.set_post_ops(ops);
    }
    r.prim =
        dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), from, cpu_engine(), to, attr));
  }
  return r;
}

struct ConvPrimitives {
  memory::desc x, w, b, y;  // Occam's plain layouts: nchw, oihw, x, nchw
  dnnl::convolution_forward forward;
  memory::desc fwd_src, fwd_weights, fwd_dst;
  Reorder x_to_fwd, w_to_fwd, fwd_to_y;
  dnnl::convolution_backward_data backward_data;
  memory::desc bd_diff_dst, bd_weights, bd_diff_src;
  Reorder dy_to_bd, w_to_bd, bd_to_dx, bd_add_to_dx;
  dnnl::convolution_backward_weights backward_weights;
  memory::desc bw_src, bw_diff_dst, bw_diff_weights;
  Reorder x_to_bw, dy_to_bw, bw_add_to_dw;
};

struct ConvKey {
  Conv2dShape shape;
  bool relu;
  auto operator<=>(const ConvKey&) const = default;
};

ConvPrimitives make_primitives(const Conv2dShape& s, bool relu) {
  ConvPrimitives p;
  p.x = memory::desc({s.N, s.C, s.H, s.W}, dt::f32, tag::nchw);
  // Grouped: oneDNN's weights are [G, O/G, C/G, KH, KW] (goihw), the same bytes as Occam's
  // [O, C/G, KH, KW].
  const int64_t G = s.groups;
  const memory::dims w_dims =
      G == 1 ? memory::dims{s.O, s.C, s.KH, s.KW} : memory::dims{G, s.O / G, s.C / G, s.KH, s.KW};
  p.w = memory::desc(w_dims, dt::f32, G == 1 ? tag::oihw : tag::goihw);
  p.b = memory::desc({s.O}, dt::f32, tag::x);
  p.y = memory::desc({s.N, s.O, s.out_h(), s.out_w()}, dt::f32, tag::nchw);
  const memory::desc x_any({s.N, s.C, s.H, s.W}, dt::f32, tag::any);
  const memory::desc w_any(w_dims, dt::f32, tag::any);
  const memory::desc y_any({s.N, s.O, s.out_h(), s.out_w()}, dt::f32, tag::any);
  const memory::dims strides{s.stride_h, s.stride_w};
  const memory::dims pad_l{s.pad_top, s.pad_left}, pad_r{s.pad_bottom, s.pad_right};
  // "auto" lets oneDNN take Winograd F(4x4, 3x3) where its heuristic says it is faster (3x3,
  // stride 1, batch > 8): the benchmark CNN's conv2 runs its three passes 2.2× faster. Its error
  // against float64 loops is of the same order as direct's (rms 4-8e-7 vs 2-34e-7 on conv2 at
  // batch 128; tests/tensor/conv_test.cpp). The heuristic also picks it for a first layer of one
  // channel, where it is 5× slower than direct: channels not in whole blocks of 16 stay direct.
  // Grouped convolutions (depthwise among them) run direct, in the layouts oneDNN picks for them
  // (its depthwise kernels read nChw16c too, so layout copies pass to and from a neighbouring
  // convolution as for G = 1).
  const bool blocks = s.C % 16 == 0 && s.O % 16 == 0 && G == 1;
  const auto alg = blocks ? dnnl::algorithm::convolution_auto : dnnl::algorithm::convolution_direct;
  const dnnl::engine& engine = cpu_engine();

  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  const dnnl::convolution_forward::primitive_desc fwd(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, x_any, w_any, p.b,
                                      y_any, strides, pad_l, pad_r),
      attr, engine);
  const dnnl::convolution_backward_data::primitive_desc bwd_data(
      dnnl::convolution_backward_data::desc(alg, x_any, w_any, y_any, strides, pad_l, pad_r),
      engine, fwd);
  const dnnl::convolution_backward_weights::primitive_desc bwd_weights(
      dnnl::convolution_backward_weights::desc(alg, x_any, w_any, p.b, y_any, strides, pad_l,
                                               pad_r),
      engine, fwd);

  p.forward = dnnl::convolution_forward(fwd);
  p.fwd_src = fwd.src_desc();
  p.fwd_weights = fwd.weights_desc();
  p.fwd_dst = fwd.dst_desc();
  p.x_to_fwd = make_reorder(p.x, p.fwd_src, false);
  p.w_to_fwd = make_reorder(p.w, p.fwd_weights, false);
  p.fwd_to_y = make_reorder(p.fwd_dst, p.y, false);

  p.backward_data = dnnl::convolution_backward_data(bwd_data);
  p.bd_diff_dst = bwd_data.diff_dst_desc();
  p.bd_weights = bwd_data.weights_desc();
  p.bd_diff_src = bwd_data.diff_src_desc();
  p.dy_to_bd = make_reorder(p.y, p.bd_diff_dst, false);
  p.w_to_bd = make_reorder(p.w, p.bd_weights, false);
  p.bd_to_dx = make_reorder(p.bd_diff_src, p.x, false);
  p.bd_add_to_dx = make_reorder(p.bd_diff_src, p.x, true);

  p.backward_weights = dnnl::convolution_backward_weights(bwd_weights);
  p.bw_src = bwd_weights.src_desc();
  p.bw_diff_dst = bwd_weights.diff_dst_desc();
  p.bw_diff_weights = bwd_weights.diff_weights_desc();
  p.x_to_bw = make_reorder(p.x, p.bw_src, false);
  p.dy_to_bw = make_reorder(p.y, p.bw_diff_dst, false);
  p.bw_add_to_dw = make_reorder(p.bw_diff_weights, p.w, true);
  return p;
}

// Primitives are created once per shape (and fused ReLU). This cache is not state that changes
// numbers: a primitive depends only on its key. std::map never moves its nodes, so the reference
// stays valid after the lock is released.
const ConvPrimitives& primitives_for(const Conv2dShape& s, bool relu) {
  static std::mutex mutex;
  static std::map<ConvKey, ConvPrimitives> cache;
  std::lock_guard<std::mutex> lock(mutex);
  const ConvKey key{s, relu};
  auto it = cache.find(key);
  if (it == cache.end()) {
    try {
      it = cache.emplace(key, make_primitives(s, relu)).first;
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

// FLOPs of one pass (forward, backward-data or backward-weights): 2 per multiply-add.
double pass_flop(const Conv2dShape& s) {
  return 2.0 * double(s.N * s.O * s.out_h() * s.out_w()) * double(s.C / s.groups * s.KH * s.KW);
}

// A buffer in a primitive's layout, from the tensor storage cache.
struct Scratch {
  Tensor storage;
  memory mem;
  explicit Scratch(const memory::desc& md)
      : storage(Tensor::empty({int64_t(md.get_size() / sizeof(float))})),
        mem(md, cpu_engine(), storage.data()) {}
  // A buffer that already holds data in layout md.
  Scratch(const memory::desc& md, Tensor existing)
      : storage(std::move(existing)), mem(md, cpu_engine(), storage.data()) {}
};

void run(const dnnl::primitive& prim, const std::unordered_map<int, memory>& args) {
  dnnl::stream stream(cpu_engine());
  prim.execute(stream, args);
  stream.wait();
}

// `data` (plain) in the layout r.to: the buffer itself when the layouts agree, else a reordered
// copy held by `scratch`.
memory input_in(const Reorder& r, const float* data, std::optional<Scratch>& scratch) {
  if (!r.prim) return wrap(r.to, data);
  scratch.emplace(r.to);
  run(*r.prim, {{DNNL_ARG_FROM, wrap(r.from, data)}, {DNNL_ARG_TO, scratch->mem}});
  return scratch->mem;
}

const memory::desc& desc_of(const LayoutCopy& c) {
  return *static_cast<const memory::desc*>(c.layout);
}

// A layout copy as input in layout `to`: the buffer itself when the layouts agree, else a copy
// reordered into `to` held by `scratch` (a reorder made on the spot: the layouts of two
// neighbouring convolutions agree in practice).
memory copy_in(const LayoutCopy& c, const memory::desc& to, std::optional<Scratch>& scratch) {
  if (desc_of(c) == to) return wrap(to, c.data.data());
  scratch.emplace(to);
  const dnnl::reorder r(dnnl::reorder::primitive_desc(cpu_engine(), desc_of(c), cpu_engine(), to));
  run(r, {{DNNL_ARG_FROM, wrap(desc_of(c), c.data.data())}, {DNNL_ARG_TO, scratch->mem}});
  return scratch->mem;
}

}  // namespace

void conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* b, float* y,
                    bool relu, Tensor* x_for_backward, const LayoutCopy* x_copy,
                    LayoutCopy* y_copy) {
  check_conv2d_shape(s);
  if (x_for_backward) *x_for_backward = Tensor();
  if (y_copy) *y_copy = LayoutCopy{};
  if (s.N == 0) return;
  const int64_t start = clock_ns();
  const ConvPrimitives& p = primitives_for(s, relu);
  std::vector<float> zero_bias;
  if (!b) {
    zero_bias.assign(s.O, 0.f);
    b = zero_bias.data();
  }
  std::optional<Scratch> src, weights, dst;
  // The previous convolution's output, already in the layout this one reads: no reorder.
  const bool use_copy = x_copy && x_copy->defined() && desc_of(*x_copy) == p.fwd_src;
  if (use_copy) src.emplace(p.fwd_src, x_copy->data);
  const memory src_mem = use_copy ? src->mem : input_in(p.x_to_fwd, x, src);
  const memory weights_mem = input_in(p.w_to_fwd, w, weights);
  memory dst_mem = p.fwd_to_y.prim ? dst.emplace(p.fwd_dst).mem : wrap(p.y, y);
  run(p.forward, {{DNNL_ARG_SRC, src_mem},
                  {DNNL_ARG_WEIGHTS, weights_mem},
                  {DNNL_ARG_BIAS, wrap(p.b, b)},
                  {DNNL_ARG_DST, dst_mem}});
  if (p.fwd_to_y.prim)
    run(*p.fwd_to_y.prim, {{DNNL_ARG_FROM, dst_mem}, {DNNL_ARG_TO, wrap(p.y, y)}});
  // Backward-weights reads x in the same layout (the usual case): keep the reordered copy.
  if (x_for_backward && src && p.bw_src == p.fwd_src) *x_for_backward = src->storage;
  if (y_copy && dst) *y_copy = LayoutCopy{dst->storage, &p.fwd_dst};
  count_conv_call(start, pass_flop(s));
}

bool conv2d_backward(const Conv2dShape& s, const float* dy, const float* x, const float* w,
                     float* dx, float* dw, float* db, const Tensor* x_from_forward, bool write_dx,
                     const LayoutCopy* dy_copy, const LayoutCopy* dx_like, LayoutCopy* dx_out) {
  check_conv2d_shape(s);
  if (dx_out) *dx_out = LayoutCopy{};
  if (s.N == 0 || (!dx && !dw && !db)) return false;
  const int64_t start = clock_ns();
  const ConvPrimitives& p = primitives_for(s, false);
  const bool have_dy_copy = dy_copy && dy_copy->defined();
  std::optional<Scratch> dy_bd, dy_bw, w_bd, x_bw;
  // dy in the layout `to`: from the layout copy when there is one, else reordered from plain.
  const auto diff_dst_in = [&](const Reorder& from_plain, std::optional<Scratch>& scratch) {
    return have_dy_copy ? copy_in(*dy_copy, from_plain.to, scratch)
                        : input_in(from_plain, dy, scratch);
  };
  bool dx_in_copy = false;
  if (dx) {
    const memory diff_dst = diff_dst_in(p.dy_to_bd, dy_bd);
    const memory weights = input_in(p.w_to_bd, w, w_bd);
    if (write_dx && !p.bd_to_dx.prim) {  // plain layout, and dx is to be written: straight in
      run(p.backward_data, {{DNNL_ARG_DIFF_DST, diff_dst},
                            {DNNL_ARG_WEIGHTS, weights},
                            {DNNL_ARG_DIFF_SRC, wrap(p.x, dx)}});
    } else {
      Scratch diff_src(p.bd_diff_src);
      run(p.backward_data, {{DNNL_ARG_DIFF_DST, diff_dst},
                            {DNNL_ARG_WEIGHTS, weights},
                            {DNNL_ARG_DIFF_SRC, diff_src.mem}});
      // The previous convolution reads its gradient in this very layout: hand it over as is.
      dx_in_copy =
          write_dx && dx_like && dx_like->defined() && dx_out && desc_of(*dx_like) == p.bd_diff_src;
      if (dx_in_copy) {
        *dx_out = LayoutCopy{diff_src.storage, &p.bd_diff_src};
      } else {
        const Reorder& out = write_dx ? p.bd_to_dx : p.bd_add_to_dx;
        run(*out.prim, {{DNNL_ARG_FROM, diff_src.mem}, {DNNL_ARG_TO, wrap(p.x, dx)}});
      }
    }
  }
  if (dw || db) {
    // The same dy in the same layout serves both primitives (the usual case): reorder it once.
    const bool same = dy_bd && p.bw_diff_dst == p.bd_diff_dst;
    const memory diff_dst = same ? dy_bd->mem : diff_dst_in(p.dy_to_bw, dy_bw);
    Scratch diff_weights(p.bw_diff_weights);
    std::vector<float> diff_bias(size_t(s.O));
    const bool saved = x_from_forward && x_from_forward->defined();
    run(p.backward_weights, {{DNNL_ARG_SRC, saved ? wrap(p.bw_src, x_from_forward->data())
                                                  : input_in(p.x_to_bw, x, x_bw)},
                             {DNNL_ARG_DIFF_DST, diff_dst},
                             {DNNL_ARG_DIFF_WEIGHTS, diff_weights.mem},
                             {DNNL_ARG_DIFF_BIAS, wrap(p.b, diff_bias.data())}});
    if (dw)
      run(*p.bw_add_to_dw.prim, {{DNNL_ARG_FROM, diff_weights.mem}, {DNNL_ARG_TO, wrap(p.w, dw)}});
    if (db)
      for (int64_t o = 0; o < s.O; ++o) db[o] += diff_bias[size_t(o)];
  }
  count_conv_call(start, (dx ? pass_flop(s) : 0.0) + (dw ? pass_flop(s) : 0.0));
  return dx_in_copy;
}

void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  conv2d_backward(s, dy, nullptr, w, dx, nullptr, nullptr);
}

bool is_nchw16c(const LayoutCopy& c, int64_t N, int64_t C, int64_t H, int64_t W) {
  return c.defined() && c.layout && desc_of(c) == memory::desc({N, C, H, W}, dt::f32, tag::nChw16c);
}

void conv2d_backward_weights(const Conv2dShape& s, const float* dy, const float* x, float* dw,
                             float* db) {
  conv2d_backward(s, dy, x, nullptr, nullptr, dw, db);
}

// ---- reference loops ----
// Row-major x[n,ci,h,v], w[o,c,p,q], y[n,o,i,j]; output channel o is in group g = o / (O/G) and
// reads input channels ci = g·C/G + c for c < C/G; (h, v) is the input pixel under kernel tap
// (p, q) of output pixel (i, j), skipped when it falls in the zero padding.

namespace reference {

void conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* b,
                    float* y) {
  check_conv2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w(), Cg = s.C / s.groups, Og = s.O / s.groups;
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t o = 0; o < s.O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          double acc = b ? b[o] : 0.0;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t p = 0; p < s.KH; ++p)
              for (int64_t q = 0; q < s.KW; ++q) {
                const int64_t h = i * s.stride_h + p - s.pad_top;
                const int64_t v = j * s.stride_w + q - s.pad_left;
                if (h < 0 || h >= s.H || v < 0 || v >= s.W) continue;  // zero padding
                const int64_t ci = o / Og * Cg + c;
                acc += double(x[((n * s.C + ci) * s.H + h) * s.W + v]) *
                       w[((o * Cg + c) * s.KH + p) * s.KW + q];
              }
          y[((n * s.O + o) * OH + i) * OW + j] = float(acc);
        }
}

void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  check_conv2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w(), Cg = s.C / s.groups, Og = s.O / s.groups;
  // Scatter each dy through the window it came from: dx[n,ci,h,v] += dy[n,o,i,j]·w[o,c,p,q].
  std::vector<double> acc(s.N * s.C * s.H * s.W, 0.0);
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t o = 0; o < s.O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          const double g = dy[((n * s.O + o) * OH + i) * OW + j];
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t p = 0; p < s.KH; ++p)
              for (int64_t q = 0; q < s.KW; ++q) {
                const int64_t h = i * s.stride_h + p - s.pad_top;
                const int64_t v = j * s.stride_w + q - s.pad_left;
                if (h < 0 || h >= s.H || v < 0 || v >= s.W) continue;
                const int64_t ci = o / Og * Cg + c;
                acc[((n * s.C + ci) * s.H + h) * s.W + v] +=
                    g * w[((o * Cg + c) * s.KH + p) * s.KW + q];
              }
        }
  for (size_t k = 0; k < acc.size(); ++k) dx[k] += float(acc[k]);
}

void conv2d_backward_weights(const Conv2dShape& s, const float* dy, const float* x, float* dw,
                             float* db) {
  check_conv2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w(), Cg = s.C / s.groups, Og = s.O / s.groups;
  // dw[o,c,p,q] += Σ_{n,i,j} dy[n,o,i,j]·x[n,ci,h,v];   db[o] += Σ_{n,i,j} dy[n,o,i,j]
  for (int64_t o = 0; o < s.O; ++o) {
    if (db) {
      double acc = 0;
      for (int64_t n = 0; n < s.N; ++n)
        for (int64_t k = 0; k < OH * OW; ++k) acc += dy[(n * s.O + o) * OH * OW + k];
      db[o] += float(acc);
    }
    if (!dw) continue;
    for (int64_t c = 0; c < Cg; ++c)
      for (int64_t p = 0; p < s.KH; ++p)
        for (int64_t q = 0; q < s.KW; ++q) {
          const int64_t ci = o / Og * Cg + c;
          double acc = 0;
          for (int64_t n = 0; n < s.N; ++n)
            for (int64_t i = 0; i < OH; ++i)
              for (int64_t j = 0; j < OW; ++j) {
                const int64_t h = i * s.stride_h + p - s.pad_top;
                const int64_t v = j * s.stride_w + q - s.pad_left;
                if (h < 0 || h >= s.H || v < 0 || v >= s.W) continue;
                acc += double(dy[((n * s.O + o) * OH + i) * OW + j]) *
                       x[((n * s.C + ci) * s.H + h) * s.W + v];
              }
          dw[((o * Cg + c) * s.KH + p) * s.KW + q] += float(acc);
        }
  }
}

}  // namespace reference

}  // namespace occam::kernels
