#include "occam/tensor/rng.h"

#include <cmath>
#include <cstring>

namespace occam {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

// lo + (hi - lo)·u rounded once, as a fused multiply-add spelled out: whether a compiler
// contracts `lo + (hi - lo) * u` into an FMA depends on the target (it does with -march=native
// on a CPU that has one), and the initial weights would then differ between machines. std::fma
// gives the same bits everywhere (a library call where the CPU has no FMA instruction).
float Rng::uniform(float lo, float hi) { return std::fma(hi - lo, uniform(), lo); }

float Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // u1 in (0, 1] so the log is finite.
  const double u1 = (double(next_u64() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
  const double u2 = double(next_u64() >> 11) * (1.0 / 9007199254740992.0);
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = float(r * std::sin(2 * M_PI * u2));
  has_spare_ = true;
  return float(r * std::cos(2 * M_PI * u2));
}

uint64_t Rng::below(uint64_t n) {
  // Lemire's nearly-divisionless method, with rejection for exact uniformity.
  __uint128_t m = __uint128_t(next_u64()) * n;
  uint64_t low = uint64_t(m);
  if (low < n) {
    const uint64_t threshold = -n % n;
    while (low < threshold) {
      m = __uint128_t(next_u64()) * n;
      low = uint64_t(m);
    }
  }
  return uint64_t(m >> 64);
}

Rng Rng::fork() { return Rng(next_u64()); }

std::array<uint64_t, 6> Rng::state() const {
  uint32_t bits;
  std::memcpy(&bits, &spare_, sizeof bits);
  return {s_[0], s_[1], s_[2], s_[3], uint64_t(has_spare_), bits};
}

void Rng::set_state(const std::array<uint64_t, 6>& s) {
  for (int i = 0; i < 4; ++i) s_[i] = s[i];
  has_spare_ = s[4] != 0;
  const uint32_t bits = uint32_t(s[5]);
  std::memcpy(&spare_, &bits, sizeof bits);
}

}  // namespace occam
