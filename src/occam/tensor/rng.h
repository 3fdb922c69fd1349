// The only source of randomness: a seeded xoshiro256** generator (Blackman & Vigna), seeded
// through splitmix64. Same seed, same sequence, on every machine: the distributions below are
// Occam's own, not the standard library's (whose algorithms vary between implementations).
#pragma once

#include <array>
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

  // The full state, for checkpoints: four words of xoshiro state, the Box–Muller spare flag and
  // the spare's bits. set_state(state()) continues the same sequence.
  std::array<uint64_t, 6> state() const;
  void set_state(const std::array<uint64_t, 6>& s);

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  float spare_ = 0.f;
};

}  // namespace occam
