// Wall time spent inside the GEMM and convolution kernels since the program started, with the
// FLOPs they did: what bench/ reports as "the GEMM/convolution part of a step". A convolution's
// time includes the reorders between Occam's plain layout and oneDNN's blocked one. Counting
// costs two clock reads per call and changes no number.
#pragma once

#include <cstdint>

namespace occam::kernels {

struct KernelTime {
  double gemm_seconds = 0, conv_seconds = 0;
  double gemm_flop = 0, conv_flop = 0;  // 2 per multiply-add
  int64_t gemm_calls = 0, conv_calls = 0;
};
KernelTime kernel_time();

// For the kernels: a steady-clock reading, and one call's time (since start_ns) and FLOPs.
int64_t clock_ns();
void count_gemm_call(int64_t start_ns, double flop);
void count_conv_call(int64_t start_ns, double flop);

}  // namespace occam::kernels
