#include "occam/tensor/pool.h"

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
