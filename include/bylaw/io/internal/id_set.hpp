// An io internal: the used-id set of a run, shared with the benchmark that measures it.
// The set of event ids already used up, for duplicate detection. An open-addressing table of
// 8-byte slots over one arena of id bytes: inserting allocates only when the table or the arena
// grows, and an id costs its bytes plus about 15 (its length, its event's hour, and its slot at
// three-quarters load), instead of a node, a string and a bucket.
//
// Each id keeps the hour of its event's time, so that ids far behind the clock can be forgotten
// (forget_before): the set is bounded by the dedup horizon, not by the length of history.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/core/bytes.hpp"
#include "bylaw/core/time.hpp"

namespace bylaw::io {

class IdSet {
 public:
  IdSet();
  // Room for `ids` ids of `bytes` bytes in all without growing.
  void reserve(std::size_t ids, std::size_t bytes);
  bool contains(std::string_view id) const;
  // Adds `id`, of an event at `time`, unless it is there already.
  void insert(std::string_view id, Time time);
  std::size_t size() const { return count_; }
  // Forgets the ids of events in hours wholly before `cutoff`; returns how many.
  std::size_t forget_before(Time cutoff);
  // Checkpoints.
  void save(std::string& out) const;
  void restore(ByteReader& in);

 private:
  struct Slot {
    std::uint32_t tag = 0;     // high bits of the id's hash, never 0; 0: empty
    std::uint32_t offset = 0;  // where its length and bytes start in arena_
  };
  static std::uint64_t hash_of(std::string_view id);
  static std::uint32_t tag_of(std::uint64_t hash) {
    return static_cast<std::uint32_t>(hash >> 32) | 1u;
  }
  std::string_view stored(std::uint32_t offset) const;
  // Rebuilds the table over the arena as it is now.
  void index_arena();
  // The slot holding `id`, or the empty slot where it would go.
  std::size_t find(std::string_view id, std::uint64_t hash) const;
  void grow();

  std::vector<Slot> slots_;  // a power of two; at most three-quarters full
  // Every id as its length (LEB128), its bytes, then its event's hour since 1970 (zigzag
  // LEB128), back to back.
  std::string arena_;
  std::size_t count_ = 0;
};

}  // namespace bylaw::io
