// The set of event ids already used up, for duplicate detection. An open-addressing table over
// one arena of id bytes: inserting allocates only when the table or the arena grows, and an id
// costs its bytes plus 16, instead of a node, a string and a bucket.
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
    std::uint64_t hash = 0;  // 0: empty
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  static std::uint64_t hash_of(std::string_view id);
  // The slot holding `id`, or the empty slot where it would go.
  std::size_t find(std::string_view id, std::uint64_t hash) const;
  void grow();

  std::vector<Slot> slots_;  // a power of two; at most half full
  std::string arena_;        // every id's bytes, back to back
  std::size_t count_ = 0;
};

}  // namespace bylaw::io
