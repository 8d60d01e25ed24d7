// The set of event ids already used up, for duplicate detection. An open-addressing table of
// 8-byte slots over one arena of id bytes: inserting allocates only when the table or the arena
// grows, and an id costs its bytes plus about 12 (its length, and its slot at three-quarters
// load), instead of a node, a string and a bucket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bylaw::io {

class IdSet {
 public:
  IdSet();
  // Room for `ids` ids of `bytes` bytes in all without growing.
  void reserve(std::size_t ids, std::size_t bytes);
  bool contains(std::string_view id) const;
  // Adds `id` unless it is there already.
  void insert(std::string_view id);
  std::size_t size() const { return count_; }

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
  // The slot holding `id`, or the empty slot where it would go.
  std::size_t find(std::string_view id, std::uint64_t hash) const;
  void grow();

  std::vector<Slot> slots_;  // a power of two; at most three-quarters full
  std::string arena_;        // every id as its length (LEB128) then its bytes, back to back
  std::size_t count_ = 0;
};

}  // namespace bylaw::io
