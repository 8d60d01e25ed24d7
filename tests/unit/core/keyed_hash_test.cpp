#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "../../../tools/flood_ids.hpp"
#include "bylaw/core/keyed_hash.hpp"
#include "bylaw/core/keyed_map.hpp"

namespace {

// The key 00 01 .. 0f of the SipHash paper's reference code, as two little-endian words.
constexpr std::uint64_t kK0 = 0x0706050403020100ULL;
constexpr std::uint64_t kK1 = 0x0f0e0d0c0b0a0908ULL;

std::string counting_bytes(std::size_t n) {
  std::string bytes;
  for (std::size_t i = 0; i < n; ++i) bytes += static_cast<char>(i);
  return bytes;
}

}  // namespace

TEST_CASE("SipHash-2-4 matches its authors' vectors, which checks the rounds 1-3 shares",
          "[core][keyed_hash]") {
  // siphash24.c's vectors: the message 00 01 02 .. of each length.
  CHECK(bylaw::siphash24(kK0, kK1, counting_bytes(0)) == 0x726fdb47dd0e0e31ULL);
  CHECK(bylaw::siphash24(kK0, kK1, counting_bytes(1)) == 0x74f839c593dc67fdULL);
  CHECK(bylaw::siphash24(kK0, kK1, counting_bytes(7)) == 0xab0200f58b01d137ULL);
  CHECK(bylaw::siphash24(kK0, kK1, counting_bytes(8)) == 0x93f5f5799a932462ULL);
  CHECK(bylaw::siphash24(kK0, kK1, counting_bytes(15)) == 0xa129ca6149be45e5ULL);
  CHECK(bylaw::siphash24(kK0, kK1, counting_bytes(16)) == 0x3f2acc7f57c29bdbULL);
  CHECK(bylaw::siphash24(kK0, kK1, counting_bytes(63)) == 0x958a324ceb064572ULL);
}

TEST_CASE("SipHash-1-3 depends on its key and on every byte", "[core][keyed_hash]") {
  std::string text = "f-10293";
  std::uint64_t h = bylaw::siphash13(kK0, kK1, text);
  CHECK(h == bylaw::siphash13(kK0, kK1, text));
  CHECK(h != bylaw::siphash13(kK0 + 1, kK1, text));
  CHECK(h != bylaw::siphash13(kK0, kK1 + 1, text));
  CHECK(h != bylaw::siphash24(kK0, kK1, text));
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string changed = text;
    changed[i] ^= 1;
    CHECK(bylaw::siphash13(kK0, kK1, changed) != h);
  }
  CHECK(bylaw::siphash13(kK0, kK1, std::string("a\0", 2)) != bylaw::siphash13(kK0, kK1, "a"));
  CHECK(bylaw::keyed_hash(text) == bylaw::keyed_hash(text));
  CHECK(bylaw::KeyedHash{}(text) == bylaw::KeyedHash{}(std::string_view(text)));
}

TEST_CASE("Ids that share one slot under std::hash spread out under the keyed hash",
          "[core][keyed_hash]") {
  constexpr std::size_t kSlots = 1024;
  std::vector<std::string> ids = flood_ids::colliding(8192, "k-", 10);
  std::vector<std::size_t> unkeyed(kSlots), keyed(kSlots);
  for (const auto& id : ids) {
    ++unkeyed[std::hash<std::string_view>{}(id) % kSlots];
    ++keyed[bylaw::keyed_hash(id) % kSlots];
  }
  CHECK(unkeyed[0] == ids.size());  // every one in the same slot: the flood
  // Eight per slot on average; a fair hash puts at most about 25 in any (Poisson tail).
  CHECK(*std::max_element(keyed.begin(), keyed.end()) < 32);

  bylaw::KeyedMap<int> table;
  for (const auto& id : ids) table[id] = 1;
  // Under std::hash every id would sit in one run of 8,192 slots: thousands of probes a key.
  CHECK(static_cast<double>(table.probes()) / table.size() < 4);
}
