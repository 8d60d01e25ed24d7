#include "id_set.hpp"

#include <functional>
#include <stdexcept>

namespace bylaw::io {

IdSet::IdSet() : slots_(1 << 12) {}

void IdSet::reserve(std::size_t ids, std::size_t bytes) {
  arena_.reserve(bytes + ids * 2);
  while (slots_.size() * 3 < ids * 4) grow();
}

std::uint64_t IdSet::hash_of(std::string_view id) {
  return std::hash<std::string_view>{}(id);
}

std::string_view IdSet::stored(std::uint32_t offset) const {
  std::size_t at = offset;
  std::size_t length = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<unsigned char>(arena_[at++]);
    length |= static_cast<std::size_t>(byte & 0x7F) << shift;
    if (byte < 0x80) break;
  }
  return {arena_.data() + at, length};
}

std::size_t IdSet::find(std::string_view id, std::uint64_t hash) const {
  std::size_t mask = slots_.size() - 1;
  std::uint32_t tag = tag_of(hash);
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.tag == 0) return i;
    if (slot.tag == tag && stored(slot.offset) == id) return i;
  }
}

bool IdSet::contains(std::string_view id) const {
  return slots_[find(id, hash_of(id))].tag != 0;
}

void IdSet::insert(std::string_view id) {
  std::uint64_t hash = hash_of(id);
  std::size_t at = find(id, hash);
  if (slots_[at].tag != 0) return;
  if (arena_.size() + id.size() + 10 > UINT32_MAX) {
    throw std::length_error("more than 4 GiB of event ids");
  }
  slots_[at] = Slot{tag_of(hash), static_cast<std::uint32_t>(arena_.size())};
  for (std::size_t length = id.size();; length >>= 7) {
    auto low = static_cast<unsigned char>(length & 0x7F);
    if (length < 0x80) {
      arena_ += static_cast<char>(low);
      break;
    }
    arena_ += static_cast<char>(low | 0x80);
  }
  arena_.append(id);
  if (++count_ * 4 > slots_.size() * 3) grow();
}

void IdSet::grow() {
  // Slots keep no full hash: each stored id is hashed again, which growth (rare) can afford.
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.tag == 0) continue;
    std::size_t i = hash_of(stored(slot.offset)) & mask;
    while (slots_[i].tag != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace bylaw::io
