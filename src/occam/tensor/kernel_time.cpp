#include "occam/tensor/kernel_time.h"

#include <atomic>
#include <chrono>

namespace occam::kernels {

namespace {
struct Counter {
  std::atomic<int64_t> ns{0}, flop{0}, calls{0};
  void add(int64_t start_ns, double f) {
    ns.fetch_add(clock_ns() - start_ns, std::memory_order_relaxed);
    flop.fetch_add(int64_t(f), std::memory_order_relaxed);
    calls.fetch_add(1, std::memory_order_relaxed);
  }
};
Counter g_gemm, g_conv;
}  // namespace

int64_t clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
void count_gemm_call(int64_t start_ns, double flop) { g_gemm.add(start_ns, flop); }
void count_conv_call(int64_t start_ns, double flop) { g_conv.add(start_ns, flop); }

KernelTime kernel_time() {
  KernelTime t;
  t.gemm_seconds = double(g_gemm.ns.load(std::memory_order_relaxed)) * 1e-9;
  t.conv_seconds = double(g_conv.ns.load(std::memory_order_relaxed)) * 1e-9;
  t.gemm_flop = double(g_gemm.flop.load(std::memory_order_relaxed));
  t.conv_flop = double(g_conv.flop.load(std::memory_order_relaxed));
  t.gemm_calls = g_gemm.calls.load(std::memory_order_relaxed);
  t.conv_calls = g_conv.calls.load(std::memory_order_relaxed);
  return t;
}

}  // namespace occam::kernels
