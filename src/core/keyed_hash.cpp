#include "bylaw/core/keyed_hash.hpp"

#include <sys/random.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

namespace bylaw {

namespace {

struct Key {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

// Two halves of a 128-bit key from a 64-bit seed (splitmix64), for BYLAW_HASH_SEED.
Key key_from_seed(std::uint64_t seed) {
  auto next = [&seed] {
    std::uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  Key key;
  key.k0 = next();
  key.k1 = next();
  return key;
}

// BYLAW_HASH_SEED, when set: a whole decimal number, or nothing (a random key, said so).
std::optional<std::uint64_t> seed_from_environment() {
  const char* text = std::getenv("BYLAW_HASH_SEED");
  if (!text || !*text) return std::nullopt;
  std::string_view seed(text);
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(seed.data(), seed.data() + seed.size(), value);
  if (error != std::errc() || end != seed.data() + seed.size()) {
    std::fprintf(stderr,
                 "bylaw: warning: BYLAW_HASH_SEED must be a decimal number from 0 to %llu, not "
                 "'%s': the hash key is drawn at random instead\n",
                 static_cast<unsigned long long>(UINT64_MAX), text);
    return std::nullopt;
  }
  // A fixed key is for tests: someone who knows it can choose ids that collide.
  std::fprintf(stderr,
               "bylaw: warning: BYLAW_HASH_SEED is set: hash tables use a fixed key, which "
               "leaves them open to ids chosen to collide\n");
  return value;
}

Key initial_key() {
  if (auto seed = seed_from_environment()) return key_from_seed(*seed);
  Key key;
  // getrandom blocks only before the kernel's pool is first ready, early in boot.
  if (getrandom(&key, sizeof key, 0) != static_cast<ssize_t>(sizeof key)) {
    // No random source: the address of a local and the clock are better than a fixed key.
    key = key_from_seed(
        reinterpret_cast<std::uintptr_t>(&key) ^
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  }
  return key;
}

const Key g_key = initial_key();

constexpr std::uint64_t rotl(std::uint64_t x, int b) {
  return (x << b) | (x >> (64 - b));
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
};

std::uint64_t load_le64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;  // x86-64 and the other targets bylaw builds for are little-endian
}

// SipHash-c-d: `c` compression rounds per 8 bytes, `d` finalization rounds.
template <int c, int d>
std::uint64_t siphash(std::uint64_t k0, std::uint64_t k1, std::string_view bytes) {
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  auto absorb = [&s](std::uint64_t m) {
    s.v3 ^= m;
    for (int i = 0; i < c; ++i) s.round();
    s.v0 ^= m;
  };
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) absorb(load_le64(p));
  // The last 0-7 bytes, with the length's low byte on top.
  std::uint64_t last = static_cast<std::uint64_t>(bytes.size()) << 56;
  for (std::size_t i = 0; i < n; ++i) {
    last |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  absorb(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < d; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace

std::uint64_t siphash13(std::uint64_t k0, std::uint64_t k1, std::string_view bytes) {
  return siphash<1, 3>(k0, k1, bytes);
}

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view bytes) {
  return siphash<2, 4>(k0, k1, bytes);
}

std::uint64_t keyed_hash(std::string_view bytes) {
  return siphash13(g_key.k0, g_key.k1, bytes);
}

}  // namespace bylaw
