// The only source of randomness: a seeded xoshiro256** generator (Blackman & Vigna), seeded
// through splitmix64. Same seed, same sequence, on every machine: the distributions below are
// Occam's own, not the standard library's (whose algorithms vary between implementations).
#pragma once

#include <cstdint>

namespace occam {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  uint64_t next_u64();
  float uniform();                    // [0, 1), 24 random bits
  float uniform(float lo, float hi);  // [lo, hi)
  float normal();                     // standard normal, Box–Muller
  uint64_t below(uint64_t n);         // uniform integer in [0, n)
  // An independent generator derived from this one's stream (for per-layer streams).
  Rng fork();

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  float spare_ = 0.f;
};

}  // namespace occam
