// Known answers for occam::Rng, the promise of rng.h: the same seed gives the same sequence on
// every machine. The expected values were not copied from what the C++ code prints: they come
// from tests/tools/rng_reference.py, a Python re-implementation of the documented algorithms
// (SplitMix64 seeding, xoshiro256**, 24-bit uniforms, Box–Muller, Lemire's bounded integers,
// fork, splitmix64_at), run with /usr/bin/python3. Two of them are anchored to the published
// reference outputs of the generators themselves. A change of any algorithm, constant, bit
// selection or float rounding (e.g. uniform(lo, hi) without its fused multiply-add) fails here;
// rerun the script only when the sequence is changed on purpose (every seeded run and the
// end-to-end fixtures then change too).
#include "occam/tensor/rng.h"

#include <bit>
#include <cmath>
#include <vector>

#include "testing/testing.h"

namespace occam {
namespace {

std::vector<uint64_t> draws(Rng& r, int n) {
  std::vector<uint64_t> v;
  for (int i = 0; i < n; ++i) v.push_back(r.next_u64());
  return v;
}

// Floats compared by their bits: 0x1.8p-1f == 0.75f exactly, and -0.f would not equal 0.f.
std::vector<uint32_t> bits(const std::vector<float>& v) {
  std::vector<uint32_t> b;
  for (float f : v) b.push_back(std::bit_cast<uint32_t>(f));
  return b;
}

template <class Draw>
std::vector<float> floats(int n, Draw draw) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) v.push_back(draw());
  return v;
}

TEST(RngKnownAnswers, TheGeneratorsMatchTheirPublishedReferenceOutputs) {
  // SplitMix64 from state 0: its first output is the published 0xe220a8397b1dcdaf. Rng(seed)'s
  // xoshiro state is the first four SplitMix64 outputs from `seed`, and splitmix64_at(key, i)
  // is output i of the same generator started at key.
  const Rng zero(0);
  const auto s = zero.state();
  EXPECT_EQ(s[0], 0xe220a8397b1dcdafull);
  EXPECT_EQ(s[1], 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(s[2], 0x06c45d188009454full);
  EXPECT_EQ(s[3], 0xf88bb8a8724c81ecull);
  EXPECT_EQ(s[4], 0u);  // no Box–Muller spare yet
  for (uint64_t i = 0; i < 4; ++i) EXPECT_EQ(splitmix64_at(0, i), s[i]) << i;

  // xoshiro256** from the state {1, 2, 3, 4}: the reference implementation's first outputs.
  Rng r;
  r.set_state({1, 2, 3, 4, 0, 0});
  EXPECT_EQ(draws(r, 4), (std::vector<uint64_t>{11520u, 0u, 1509978240u, 1215971899390074240u}));
}

// glorot_uniform's limit for the default model's first kernel, sqrt(6 / (784 + 512)), as a float:
// the initial weights are uniform(-limit, limit). With it, 6, 1 and 7 of the 8 values below
// differ if the multiply and the add are rounded separately (the script counts them).
constexpr float kGlorot = 0x1.16b29p-4f;

struct SeedAnswers {
  uint64_t seed;
  std::vector<uint64_t> next_u64;  // the first 6
  std::vector<float> uniform;      // uniform(): the first 6
  std::vector<float> uniform_in;   // uniform(-kGlorot, kGlorot): the first 8
  std::vector<float> normal;       // the first 7 (three pairs and the first of a fourth)
  std::array<uint64_t, 6> state_after_3_normals;  // a spare pending: flag 1 and its bits
  std::vector<uint64_t> fork_child;               // a fresh Rng(seed).fork(): the child's first 4
  uint64_t parent_after_fork;                     // then the parent's next_u64 (its second output)
};

const SeedAnswers kSeeds[] = {
    {0,
     {0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull, 0x1a5f849d4933e6e0ull, 0x6aa594f1262d2d2cull,
      0xbba5ad4a1f842e59ull, 0xffef8375d9ebcacaull},
     {0x1.33d8bep-1f, 0x1.7edc3ep-1f, 0x1.a5f84p-4f, 0x1.aa965p-2f, 0x1.774b5ap-1f, 0x1.ffdf06p-1f},
     {0x1.c38c42p-7f, 0x1.14375p-5f, -0x1.ba8ca6p-5f, -0x1.73f162p-7f, 0x1.03be12p-5f,
      0x1.168eaap-4f, -0x1.5adf1cp-7f, 0x1.3dfb38p-8f},
     {-0x1.ce4064p-7f, -0x1.0232bap+0f, -0x1.d88c94p+0f, 0x1.112236p+0f, 0x1.938c38p-1f,
      -0x1.46952cp-10f, -0x1.47c75ap+0f},
     {0xb1e87922cfaa0328ull, 0x53e634dfe1293913ull, 0x1fdc319110a34adaull, 0x8ecf0c76f36d8e97ull,
      1u, 0x3f88911bu},
     {0x4c94e4a98a1709ebull, 0x48235b11b4380ed6ull, 0x757ef423c8f581ccull, 0x002c24c674801072ull},
     0xbf6e1f784956452aull},
    {2024,
     {0x0e48715a13d7772eull, 0xc837f3ee8a7a1065ull, 0x1272314b15ee5001ull, 0x28e323a6abe2a46bull,
      0xc60df3b261660aa7ull, 0x3eaff0863ccf54f5ull},
     {0x1.c90e2p-5f, 0x1.906fe6p-1f, 0x1.27231p-4f, 0x1.471918p-3f, 0x1.8c1be6p-1f, 0x1.f57f8p-3f},
     {-0x1.ef329cp-5f, 0x1.3a7c86p-5f, -0x1.dd11a4p-5f, -0x1.7b586cp-5f, 0x1.31100cp-5f,
      -0x1.1c6ap-5f, -0x1.d72c8p-7f, -0x1.0ee2cap-5f},
     {0x1.ece632p-2f, -0x1.2d4a5ap+1f, 0x1.3b80c6p+0f, 0x1.ef326ap+0f, 0x1.7a1ff8p-6f,
      0x1.6e9f0ap-1f, -0x1.ebe272p-5f},
     {0x737b765c1be2b8c2ull, 0x795e22c0e01b159aull, 0x94c303ea3c9ac4b5ull, 0x1f3a8e3bfffa3c2aull,
      1u, 0x3ff79935u},
     {0xcc10795b12586980ull, 0x7111f408efdab8f3ull, 0x6a153d456bb569e6ull, 0xf75025a050a54c2aull},
     0xc837f3ee8a7a1065ull},
    {0xffffffffffffffffull,  // the seed's splitmix64 additions wrap around
     {0x8f5520d52a7ead08ull, 0xc476a018caa1802dull, 0x81de31c0d260469eull, 0xbf658d7e065f3c2full,
      0x913593fda1bca32aull, 0xbb535e93941ba525ull},
     {0x1.1eaa4p-1f, 0x1.88ed4p-1f, 0x1.03bc62p-1f, 0x1.7ecb1ap-1f, 0x1.226b26p-1f, 0x1.76a6bcp-1f},
     {0x1.0b122ap-7f, 0x1.2a224ap-5f, 0x1.044b6p-10f, 0x1.1411fep-5f, 0x1.2bc2eap-7f,
      0x1.0257a6p-5f, -0x1.211ebcp-6f, 0x1.2a6a92p-5f},
     {0x1.e24fbap-4f, -0x1.1211fp+0f, -0x1.1aa27p-6f, -0x1.2a37b4p+0f, -0x1.f3507p-4f,
      -0x1.0ed23ap+0f, 0x1.402a58p-3f},
     {0x424bd5d0f86d742eull, 0x577deba02d67e640ull, 0x6bc17c38ad5ca870ull, 0x079390fa1c276bb6ull,
      1u, 0xbf951bdau},
     {0xf47fc37f1f53b140ull, 0xc81dd74675b7d1f1ull, 0xd9388d835f0e417cull, 0x5816d5ea2aa9245cull},
     0xc476a018caa1802dull},
};

TEST(RngKnownAnswers, NextU64UniformNormalAndForkForFixedSeeds) {
  ASSERT_EQ(kGlorot, float(std::sqrt(6.0 / (784 + 512))));
  for (const SeedAnswers& a : kSeeds) {
    SCOPED_TRACE(::testing::Message() << "seed " << a.seed);
    Rng r(a.seed);
    EXPECT_EQ(draws(r, 6), a.next_u64);
    r = Rng(a.seed);
    EXPECT_EQ(bits(floats(6, [&] { return r.uniform(); })), bits(a.uniform));
    r = Rng(a.seed);
    EXPECT_EQ(bits(floats(8, [&] { return r.uniform(-kGlorot, kGlorot); })), bits(a.uniform_in))
        << "fma(hi - lo, u, lo) with one rounding; a separate multiply and add give other bits";
    r = Rng(a.seed);
    EXPECT_EQ(bits(floats(7, [&] { return r.normal(); })), bits(a.normal));
    r = Rng(a.seed);
    for (int i = 0; i < 3; ++i) r.normal();
    EXPECT_EQ(r.state(), a.state_after_3_normals) << "the spare is part of the state";
    r = Rng(a.seed);
    Rng child = r.fork();
    EXPECT_EQ(draws(child, 4), a.fork_child);
    EXPECT_EQ(r.next_u64(), a.parent_after_fork) << "fork() consumes one draw of the parent";
  }
}

TEST(RngKnownAnswers, BelowForSmallLargeAndRejectingBounds) {
  // Rng(7).below(n) eight times, then next_u64: the last value says how many draws were used.
  // For n = 2^63 + 1 the rejection threshold 2^64 mod n = 2^63 - 1 rejects about half of the
  // draws (11 of 19 here), so the loop is exercised.
  const uint64_t after_eight_draws = 0x67594f96cac88520ull;
  struct Case {
    uint64_t n;
    std::vector<uint64_t> values;
    uint64_t next;
  };
  const Case cases[] = {
      {10, {7, 2, 8, 9, 9, 8, 0, 1}, after_eight_draws},
      {60000, {0xa432, 0x4155, 0xc4c9, 0xe5f1, 0xe83b, 0xcc8e, 0x0e3d, 0x187a}, after_eight_draws},
      {1, {0, 0, 0, 0, 0, 0, 0, 0}, after_eight_draws},
      {(uint64_t(1) << 63) + 1,
       {0x59ac7d7ba77cbb2dull, 0x6b78e9a4ca963ccbull, 0x7d949c398f403920ull, 0x7ed482763f2a018cull,
        0x136eb5d000c700b1ull, 0x5dad879c48f94fecull, 0x20db7accf9ed2edfull, 0x140830628533ca9dull},
       0x223a45c5da8c03adull},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "n = " << c.n);
    Rng r(7);
    std::vector<uint64_t> got;
    for (int i = 0; i < 8; ++i) got.push_back(r.below(c.n));
    EXPECT_EQ(got, c.values);
    EXPECT_EQ(r.next_u64(), c.next);
  }
}

TEST(RngKnownAnswers, CounterBasedOutputsInAnyOrder) {
  EXPECT_EQ(splitmix64_at(0, 1000), 0x2cfa2f23425329e1ull);
  const uint64_t key = 0x123456789abcdef0ull;
  EXPECT_EQ(splitmix64_at(key, 3), 0x417cb9a826d831dfull);  // before the lower indices: no state
  EXPECT_EQ(splitmix64_at(key, 0), 0x161922c645ce50e8ull);
  EXPECT_EQ(splitmix64_at(key, 1), 0xad760cafa1697b60ull);
  EXPECT_EQ(splitmix64_at(key, 2), 0x3501ff44902ca50dull);
  EXPECT_EQ(splitmix64_at(key, 1000), 0x14f4754391fec912ull);
}

TEST(Rng, SetStateContinuesTheSequenceEvenWithASparePending) {
  Rng a(99);
  a.normal();  // leaves the second value of the pair as the spare
  Rng b;
  b.set_state(a.state());
  EXPECT_EQ(std::bit_cast<uint32_t>(b.normal()), std::bit_cast<uint32_t>(a.normal()));
  EXPECT_EQ(std::bit_cast<uint32_t>(b.normal()), std::bit_cast<uint32_t>(a.normal()));
  EXPECT_EQ(b.next_u64(), a.next_u64());
}

}  // namespace
}  // namespace occam
