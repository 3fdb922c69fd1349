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
  uint64_t next_u64();                // inline below: dropout draws one per element
  float uniform();                    // [0, 1), 24 random bits
  float uniform(float lo, float hi);  // [lo, hi): fma(hi − lo, uniform(), lo), one rounding
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

inline uint64_t Rng::next_u64() {
  const auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

inline float Rng::uniform() { return float(next_u64() >> 40) * (1.0f / 16777216.0f); }

// A counter-based generator: output i (i = 0, 1, ...) of SplitMix64 started at `key`, computed
// directly from i. Elements of a mask can then be drawn in any order, on any thread, and in
// vector registers, with the same result. SplitMix64 passes BigCrush; one key is drawn from an
// Rng per use, so the stream stays a function of the seed.
inline uint64_t splitmix64_at(uint64_t key, uint64_t i) {
  uint64_t z = key + (i + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace occam
