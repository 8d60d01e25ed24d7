// The hash of every table keyed by data from the stream (ids, subjects, keys of `latest` and of
// windows): SipHash-1-3 under a key drawn at random when the process starts. Someone who controls
// the ids cannot choose them to fall into one bucket (hash flooding): ids that all collide under
// an unkeyed hash such as std::hash spread like any others under a key they do not know.
//
// No decision, reject or summary depends on the key: tables are looked up, never listed in their
// order where an answer could see it. Checkpoints list them in their order, and restores do not
// care.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace bylaw {

// SipHash-1-3 of `bytes` under this process's key.
std::uint64_t keyed_hash(std::string_view bytes);

// SipHash-1-3 under a given key; SipHash-2-4 (the same rounds, more of them) is there for the
// reference vectors its authors publish, which test the code both share.
std::uint64_t siphash13(std::uint64_t k0, std::uint64_t k1, std::string_view bytes);
std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view bytes);

// The process's key comes from the system's random source when the process starts;
// BYLAW_HASH_SEED=N (a decimal number) in the environment fixes it instead, so a test can run the
// same stream under two keys and compare the output.

struct KeyedHash {
  using is_transparent = void;  // looks up a std::string key with a string_view
  std::size_t operator()(std::string_view bytes) const { return keyed_hash(bytes); }
  std::size_t operator()(const std::string& bytes) const { return keyed_hash(bytes); }
};

// Sets of text from the stream, small ones (maps: keyed_map.hpp).
using KeyedSet = std::unordered_set<std::string, KeyedHash, std::equal_to<>>;

}  // namespace bylaw
