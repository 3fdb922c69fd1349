#!/usr/bin/python3
"""Known answers for occam::Rng (src/occam/tensor/rng.h), computed from the documented algorithms
alone, without the C++ code: SplitMix64 seeding, xoshiro256** (Blackman & Vigna), 24-bit
uniform floats, Box-Muller normals with a spare, Lemire's bounded integers, fork() and the
counter-based splitmix64_at. tests/tensor/rng_test.cpp hard-codes what this prints; rerun it
(`/usr/bin/python3 tests/tools/rng_reference.py`) only when the algorithm is changed on purpose,
which changes every seeded run (and the end-to-end fixtures).

Float32 arithmetic is emulated by rounding each double result to float32 (exact for one +, -, *
of two floats: a double holds their exact result closely enough that rounding once is correct);
uniform(lo, hi)'s fused multiply-add is computed exactly in rationals and rounded once.
The normals use the platform's libm (glibc here) in double, then round to float32, as rng.cpp does.
"""
import math
import struct
from fractions import Fraction

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def f32(x):
    """Rounds a Python float (double) to the nearest float32, returned as a double."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


# The glorot_uniform limit of the default model's first kernel, sqrt(6 / (784 + 512)), as float.
GLOROT = f32(math.sqrt(6.0 / (784 + 512)))


def f32_exact(x):
    """Rounds an exact rational to the nearest float32 (ties to even), once. Normal range only."""
    x = Fraction(x)
    if x == 0:
        return 0.0
    a = abs(x)
    e = math.floor(math.log2(a))
    while Fraction(2) ** e > a:
        e -= 1
    while Fraction(2) ** (e + 1) <= a:
        e += 1
    q = a / Fraction(2) ** (e - 23)  # in [2^23, 2^24): the 24-bit significand, unrounded
    n = q.numerator // q.denominator
    rest = q - n
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and n % 2 == 1):
        n += 1
    return math.copysign(float(n * Fraction(2) ** (e - 23)), x)


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def splitmix64_next(x):
    """One step of SplitMix64 (Steele, Lea & Flood): returns (new state, output)."""
    x = (x + GOLDEN) & MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return x, z ^ (z >> 31)


def splitmix64_at(key, i):
    """Output i of SplitMix64 started at `key` (rng.h: splitmix64_at)."""
    x = (key + ((i + 1) * GOLDEN)) & MASK
    z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Rng:
    def __init__(self, seed):
        self.s = []
        x = seed & MASK
        for _ in range(4):
            x, out = splitmix64_next(x)
            self.s.append(out)
        self.has_spare = False
        self.spare = 0.0
        self.rejected = 0  # below()'s rejected draws, reported only
        self.unfused_differs = 0  # uniform_in() values that a separate multiply and add change

    def next_u64(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next_u64() >> 40) / 16777216.0  # exact: 24 bits

    def uniform_in(self, lo, hi):
        """lo + (hi - lo)·u with the product and sum rounded once (std::fma), span rounded."""
        lo, hi = f32(lo), f32(hi)
        span, u = f32(hi - lo), self.uniform()
        fused = f32_exact(Fraction(lo) + Fraction(span) * Fraction(u))
        self.unfused_differs += fused != f32(lo + f32(span * u))
        return fused

    def normal(self):
        if self.has_spare:
            self.has_spare = False
            return self.spare
        u1 = ((self.next_u64() >> 11) + 1) * (1.0 / 9007199254740992.0)
        u2 = (self.next_u64() >> 11) * (1.0 / 9007199254740992.0)
        r = math.sqrt(-2.0 * math.log(u1))
        self.spare = f32(r * math.sin(2 * math.pi * u2))
        self.has_spare = True
        return f32(r * math.cos(2 * math.pi * u2))

    def below(self, n):
        """Lemire's method: the high word of x·n, rejecting low words below 2^64 mod n."""
        m = self.next_u64() * n
        low = m & MASK
        if low < n:
            threshold = (1 << 64) % n
            while low < threshold:
                self.rejected += 1
                m = self.next_u64() * n
                low = m & MASK
        return m >> 64

    def fork(self):
        return Rng(self.next_u64())

    def state(self):
        return self.s[:] + [int(self.has_spare), f32_bits(self.spare)]


def hexu(v):
    return "0x%016xull" % v


def hexf(v):
    mantissa, exponent = float(v).hex().split("p")
    return mantissa.rstrip("0").rstrip(".") + "p" + exponent + "f"


def cxx_list(values, fmt, per_line=3):
    items = [fmt(v) for v in values]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "{" + (",\n ".join(lines)) + "}"


def main():
    print("// splitmix64 from 0 (the seeding of Rng(0)):")
    x, outs = 0, []
    for _ in range(4):
        x, out = splitmix64_next(x)
        outs.append(out)
    print("state of Rng(0):", cxx_list(outs, hexu, 2))

    for seed in (0, 2024, 0xFFFFFFFFFFFFFFFF):
        r = Rng(seed)
        print(f"\n// seed {seed:#x}")
        print("next_u64:", cxx_list([r.next_u64() for _ in range(6)], hexu, 2))
        r = Rng(seed)
        print("uniform():", cxx_list([r.uniform() for _ in range(6)], hexf))
        r = Rng(seed)
        values = [r.uniform_in(-GLOROT, GLOROT) for _ in range(8)]
        print(f"uniform(-{hexf(GLOROT)}, {hexf(GLOROT)}) ({r.unfused_differs} of 8 differ unfused):",
              cxx_list(values, hexf))
        r = Rng(seed)
        print("normal():", cxx_list([r.normal() for _ in range(7)], hexf))
        r = Rng(seed)
        for _ in range(3):
            r.normal()
        print("state() after 3 normals:", cxx_list(r.state(), hexu, 2))
        r = Rng(seed)
        parent_after = None
        child = r.fork()
        parent_after = r.next_u64()
        print("fork(): child next_u64:", cxx_list([child.next_u64() for _ in range(4)], hexu, 2),
              " parent's next:", hexu(parent_after))

    # below(n): small bounds, the dataset size, and n = 2^63 + 1, whose rejection threshold
    # 2^64 mod n = 2^63 - 1 rejects about half of the draws (the loop is exercised).
    for n in (10, 60000, 1, (1 << 63) + 1):
        r = Rng(7)
        vals = [r.below(n) for _ in range(8)]
        after = r.next_u64()
        print(f"\n// Rng(7).below({n}) x8 ({r.rejected} draws rejected):", cxx_list(vals, hexu, 2),
              " then next_u64:", hexu(after))

    # xoshiro256** on the state {1, 2, 3, 4}: the published first outputs.
    r = Rng(0)
    r.s = [1, 2, 3, 4]
    print("\n// xoshiro256** from {1,2,3,4}:", [r.next_u64() for _ in range(4)])

    print("\n// splitmix64_at(key, i), i = 0..3 and 1000:")
    for key in (0, 0x123456789ABCDEF0):
        print(hexu(key), cxx_list([splitmix64_at(key, i) for i in (0, 1, 2, 3, 1000)], hexu, 2))


if __name__ == "__main__":
    main()
