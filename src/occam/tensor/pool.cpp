#include "occam/tensor/pool.h"

#include <algorithm>

#include "occam/error.h"

namespace occam::kernels {

void check_pool2d_shape(const Pool2dShape& s) {
  OCCAM_CHECK(s.N >= 0 && s.C > 0 && s.H > 0 && s.W > 0 && s.KH > 0 && s.KW > 0 && s.stride_h > 0 &&
                  s.stride_w > 0,
              "pool2d: expected positive sizes, got x [", s.N, ",", s.C, ",", s.H, ",", s.W,
              "], window ", s.KH, "x", s.KW, ", stride ", s.stride_h, "x", s.stride_w);
  OCCAM_CHECK(s.KH <= s.H && s.KW <= s.W, "pool2d: window ", s.KH, "x", s.KW,
              " larger than the input ", s.H, "x", s.W);
}

// In every loop below, plane k = n·C + c; x + k·H·W is its input and y + k·OH·OW its output.

namespace {

// The 2x2, stride-2 window (every max pooling in the benchmark CNN): no window overlaps another,
// so each input pixel is in at most one window and the planes' rows split freely. The winner is
// the first maximum in the order (0,0), (0,1), (1,0), (1,1), as in the general loops; written
// with selects instead of branches, which random data mispredicts half the time.
void max_pool_2x2_forward(const Pool2dShape& s, const float* x, float* y) {
  const int64_t OH = s.out_h(), OW = s.out_w(), rows = s.N * s.C * OH;
#pragma omp parallel for if (rows * OW > (1 << 16))
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t k = r / OH, i = r % OH;
    const float* __restrict top = x + (k * s.H + 2 * i) * s.W;
    const float* __restrict bottom = top + s.W;
    float* __restrict out = y + r * OW;
#pragma omp simd
    for (int64_t j = 0; j < OW; ++j) {
      float best = top[2 * j];
      best = top[2 * j + 1] > best ? top[2 * j + 1] : best;
      best = bottom[2 * j] > best ? bottom[2 * j] : best;
      best = bottom[2 * j + 1] > best ? bottom[2 * j + 1] : best;
      out[j] = best;
    }
  }
}

// One 2x2 window's gradient: the first maximum of (a, b, c, d) in row-major order gets g, the
// other three 0 — with ReluMask, only when that maximum is > 0 (as a ReLU backward would). No
// branch: the callers' loops vectorize.
struct Window2x2 {
  float ga, gb, gc, gd;
};
template <bool ReluMask>
inline Window2x2 route_2x2(float a, float b, float c, float d, float g) {
  const bool b_wins = b > a;
  const float ab = b_wins ? b : a;
  const bool c_wins = c > ab;
  const float abc = c_wins ? c : ab;
  const bool d_wins = d > abc;
  const float best = d_wins ? d : abc;
  const float gj = ReluMask ? (best > 0.f ? g : 0.f) : g;
  const float gd = d_wins ? gj : 0.f, left = d_wins ? 0.f : gj;
  const float gc = c_wins ? left : 0.f, left2 = c_wins ? 0.f : left;
  return {b_wins ? 0.f : left2, b_wins ? left2 : 0.f, gc, gd};
}

// Write: dx = the gradient (every pixel of an even-sized plane is in one window); else dx +=.
// ReluMask (with Write): the winner gets dy only where its x > 0, as a ReLU backward on dx would.
template <bool Write, bool ReluMask = false>
void max_pool_2x2_backward(const Pool2dShape& s, const float* dy, const float* x, float* dx) {
  const int64_t OH = s.out_h(), OW = s.out_w(), rows = s.N * s.C * OH;
#pragma omp parallel for if (rows * OW > (1 << 16))
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t k = r / OH, i = r % OH;
    const int64_t at = (k * s.H + 2 * i) * s.W;
    const float* __restrict top = x + at;
    const float* __restrict bottom = top + s.W;
    float* __restrict dtop = dx + at;
    float* __restrict dbottom = dtop + s.W;
    const float* __restrict g = dy + r * OW;
#pragma omp simd
    for (int64_t j = 0; j < OW; ++j) {
      // Every pixel gets an add (of 0 if it lost): no branch.
      const Window2x2 w =
          route_2x2<ReluMask>(top[2 * j], top[2 * j + 1], bottom[2 * j], bottom[2 * j + 1], g[j]);
      const float ta = (Write ? 0.f : dtop[2 * j]) + w.ga;
      const float tb = (Write ? 0.f : dtop[2 * j + 1]) + w.gb;
      const float tc = (Write ? 0.f : dbottom[2 * j]) + w.gc;
      const float td = (Write ? 0.f : dbottom[2 * j + 1]) + w.gd;
      dtop[2 * j] = ta;
      dtop[2 * j + 1] = tb;
      dbottom[2 * j] = tc;
      dbottom[2 * j + 1] = td;
    }
  }
}

bool is_2x2_stride_2(const Pool2dShape& s) {
  return s.KH == 2 && s.KW == 2 && s.stride_h == 2 && s.stride_w == 2;
}

}  // namespace

void max_pool2d_forward(const Pool2dShape& s, const float* x, float* y) {
  check_pool2d_shape(s);
  if (is_2x2_stride_2(s)) return max_pool_2x2_forward(s, x, y);
  reference::max_pool2d_forward(s, x, y);
}

void max_pool2d_backward(const Pool2dShape& s, const float* dy, const float* x, float* dx,
                         bool write) {
  check_pool2d_shape(s);
  // The 2x2 windows of an even-sized plane cover every pixel: they can write dx.
  const bool covers = is_2x2_stride_2(s) && s.H % 2 == 0 && s.W % 2 == 0;
  if (write && !covers) std::fill_n(dx, s.N * s.C * s.H * s.W, 0.f);
  if (is_2x2_stride_2(s) && write && covers) return max_pool_2x2_backward<true>(s, dy, x, dx);
  if (is_2x2_stride_2(s)) return max_pool_2x2_backward<false>(s, dy, x, dx);
  reference::max_pool2d_backward(s, dy, x, dx);
}

bool max_pool2d_backward_relu_masked(const Pool2dShape& s, const float* dy, const float* x,
                                     float* dx) {
  check_pool2d_shape(s);
  if (!is_2x2_stride_2(s) || s.H % 2 != 0 || s.W % 2 != 0) return false;
  max_pool_2x2_backward<true, true>(s, dy, x, dx);
  return true;
}

bool max_pool2d_backward_relu_masked_nchw16c(const Pool2dShape& s, const float* dy, const float* x,
                                             float* dx) {
  check_pool2d_shape(s);
  if (!is_2x2_stride_2(s) || s.H % 2 != 0 || s.W % 2 != 0 || s.C % 16 != 0) return false;
  const int64_t OH = s.out_h(), OW = s.out_w(), CB = s.C / 16, rows = s.N * CB * OH;
  constexpr int64_t kCols = 64;  // output columns per tile of dy
#pragma omp parallel for if (rows * OW * 16 > (1 << 16))
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = r / (CB * OH), cb = (r / OH) % CB, i = r % OH;
    const int64_t at = ((n * CB + cb) * s.H + 2 * i) * s.W * 16;
    const float* __restrict top = x + at;
    const float* __restrict bottom = top + s.W * 16;
    float* __restrict dtop = dx + at;
    float* __restrict dbottom = dtop + s.W * 16;
    const float* rows_of_dy = dy + ((n * s.C + cb * 16) * OH + i) * OW;  // channel c: + c·OH·OW
    for (int64_t j0 = 0; j0 < OW; j0 += kCols) {
      const int64_t cols = std::min(kCols, OW - j0);
      alignas(64) float g[kCols * 16];  // dy of these columns, channels innermost like x
      for (int64_t c = 0; c < 16; ++c)
        for (int64_t j = 0; j < cols; ++j) g[j * 16 + c] = rows_of_dy[c * OH * OW + j0 + j];
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t left = 2 * (j0 + j) * 16, right = left + 16;
#pragma omp simd
        for (int64_t c = 0; c < 16; ++c) {  // the plain kernel's rule, one channel per lane
          const Window2x2 w = route_2x2<true>(top[left + c], top[right + c], bottom[left + c],
                                              bottom[right + c], g[j * 16 + c]);
          dtop[left + c] = w.ga;
          dtop[right + c] = w.gb;
          dbottom[left + c] = w.gc;
          dbottom[right + c] = w.gd;
        }
      }
    }
  }
  return true;
}

namespace reference {

void max_pool2d_forward(const Pool2dShape& s, const float* x, float* y) {
  check_pool2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w(), planes = s.N * s.C;
#pragma omp parallel for
  for (int64_t k = 0; k < planes; ++k) {
    const float* xp = x + k * s.H * s.W;
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        const float* window = xp + i * s.stride_h * s.W + j * s.stride_w;
        float best = window[0];
        for (int64_t p = 0; p < s.KH; ++p)
          for (int64_t q = 0; q < s.KW; ++q)
            if (window[p * s.W + q] > best) best = window[p * s.W + q];
        y[(k * OH + i) * OW + j] = best;
      }
  }
}

void max_pool2d_backward(const Pool2dShape& s, const float* dy, const float* x, float* dx) {
  check_pool2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w(), planes = s.N * s.C;
#pragma omp parallel for
  for (int64_t k = 0; k < planes; ++k) {
    const float* xp = x + k * s.H * s.W;
    float* dxp = dx + k * s.H * s.W;
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        const int64_t origin = i * s.stride_h * s.W + j * s.stride_w;
        int64_t winner = origin;
        for (int64_t p = 0; p < s.KH; ++p)
          for (int64_t q = 0; q < s.KW; ++q)
            if (xp[origin + p * s.W + q] > xp[winner]) winner = origin + p * s.W + q;
        dxp[winner] += dy[(k * OH + i) * OW + j];
      }
  }
}

}  // namespace reference

void avg_pool2d_forward(const Pool2dShape& s, const float* x, float* y) {
  check_pool2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w(), planes = s.N * s.C;
  const float inv = 1.f / float(s.KH * s.KW);
#pragma omp parallel for
  for (int64_t k = 0; k < planes; ++k) {
    const float* xp = x + k * s.H * s.W;
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        const float* window = xp + i * s.stride_h * s.W + j * s.stride_w;
        float acc = 0.f;
        for (int64_t p = 0; p < s.KH; ++p)
          for (int64_t q = 0; q < s.KW; ++q) acc += window[p * s.W + q];
        y[(k * OH + i) * OW + j] = acc * inv;
      }
  }
}

void avg_pool2d_backward(const Pool2dShape& s, const float* dy, float* dx) {
  check_pool2d_shape(s);
  const int64_t OH = s.out_h(), OW = s.out_w(), planes = s.N * s.C;
  const float inv = 1.f / float(s.KH * s.KW);
#pragma omp parallel for
  for (int64_t k = 0; k < planes; ++k) {
    float* dxp = dx + k * s.H * s.W;
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        float* window = dxp + i * s.stride_h * s.W + j * s.stride_w;
        const float g = dy[(k * OH + i) * OW + j] * inv;
        for (int64_t p = 0; p < s.KH; ++p)
          for (int64_t q = 0; q < s.KW; ++q) window[p * s.W + q] += g;
      }
  }
}

void global_avg_pool2d_forward(int64_t planes, int64_t HW, const float* x, float* y) {
  OCCAM_CHECK(planes >= 0 && HW > 0, "global_avg_pool2d: expected H·W > 0, got ", HW);
#pragma omp parallel for
  for (int64_t k = 0; k < planes; ++k) {
    double acc = 0;
    for (int64_t i = 0; i < HW; ++i) acc += x[k * HW + i];
    y[k] = float(acc / double(HW));
  }
}

void global_avg_pool2d_backward(int64_t planes, int64_t HW, const float* dy, float* dx) {
  OCCAM_CHECK(planes >= 0 && HW > 0, "global_avg_pool2d: expected H·W > 0, got ", HW);
  const float inv = 1.f / float(HW);
#pragma omp parallel for
  for (int64_t k = 0; k < planes; ++k)
    for (int64_t i = 0; i < HW; ++i) dx[k * HW + i] += dy[k] * inv;
}

}  // namespace occam::kernels
