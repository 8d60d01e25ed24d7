#include "id_set.hpp"

#include <functional>
#include <stdexcept>

namespace bylaw::io {

IdSet::IdSet() : slots_(1 << 12) {}

void IdSet::reserve(std::size_t ids, std::size_t bytes) {
  arena_.reserve(bytes);
  while (slots_.size() < ids * 2) grow();
}

std::uint64_t IdSet::hash_of(std::string_view id) {
  std::uint64_t h = std::hash<std::string_view>{}(id);
  return h | 1;  // never 0, which marks an empty slot
}

std::size_t IdSet::find(std::string_view id, std::uint64_t hash) const {
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.hash == 0) return i;
    if (slot.hash == hash && slot.length == id.size() &&
        std::string_view(arena_.data() + slot.offset, slot.length) == id) {
      return i;
    }
  }
}

bool IdSet::contains(std::string_view id) const {
  return slots_[find(id, hash_of(id))].hash != 0;
}

void IdSet::insert(std::string_view id) {
  std::uint64_t hash = hash_of(id);
  std::size_t at = find(id, hash);
  if (slots_[at].hash != 0) return;
  if (arena_.size() + id.size() > UINT32_MAX) {
    throw std::length_error("more than 4 GiB of event ids");
  }
  slots_[at] =
      Slot{hash, static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(id.size())};
  arena_.append(id);
  if (++count_ * 2 > slots_.size()) grow();
}

void IdSet::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.hash == 0) continue;
    std::size_t i = slot.hash & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace bylaw::io
