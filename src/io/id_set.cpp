#include "bylaw/io/internal/id_set.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

#include <stdexcept>
#include "bylaw/core/keyed_hash.hpp"

namespace bylaw::io {

IdSet::IdSet() : slots_(1 << 12) {}

void IdSet::reserve(std::size_t ids, std::size_t bytes) {
  arena_.reserve(bytes + ids * 2);
  while (slots_.size() * 3 < ids * 4) grow();
}

std::uint64_t IdSet::hash_of(std::string_view id) {
  return keyed_hash(id);  // keyed: ids are chosen by whoever writes the stream
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

namespace {

constexpr std::int64_t kMicrosPerHour = 3600LL * 1000 * 1000;

std::int64_t hour_of(Time time) {
  std::int64_t hour = time.micros / kMicrosPerHour;
  return time.micros % kMicrosPerHour < 0 ? hour - 1 : hour;  // floor, before 1970 too
}

}  // namespace

void IdSet::insert(std::string_view id, Time time) {
  std::uint64_t hash = hash_of(id);
  std::size_t at = find(id, hash);
  if (slots_[at].tag != 0) return;
  if (arena_.size() + id.size() + 20 > UINT32_MAX) {
    throw std::length_error("more than 4 GiB of event ids");
  }
  slots_[at] = Slot{tag_of(hash), static_cast<std::uint32_t>(arena_.size())};
  put_text(arena_, id);
  put_signed(arena_, hour_of(time));
  if (++count_ * 4 > slots_.size() * 3) grow();
}

std::size_t IdSet::forget_before(Time cutoff) {
  std::int64_t first_kept = hour_of(cutoff);
  // Compacts in place: kept entries move towards the front, so nothing is allocated.
  std::size_t write = 0;
  std::size_t forgotten = 0;
  ByteReader in(arena_, "id set");
  while (!in.done()) {
    std::size_t begin = arena_.size() - in.remaining();
    in.text();
    std::int64_t hour = in.signed_varint();
    std::size_t length = arena_.size() - in.remaining() - begin;
    if (hour < first_kept) {
      ++forgotten;
      continue;
    }
    if (write != begin) std::memmove(arena_.data() + write, arena_.data() + begin, length);
    write += length;
  }
  if (forgotten == 0) return 0;
  arena_.resize(write);
  index_arena();
  return forgotten;
}

void IdSet::index_arena() {
  std::size_t ids = 0;
  for (ByteReader in(arena_, "id set"); !in.done(); ++ids) {
    in.text();
    in.signed_varint();
  }
  // Never smaller than it was: a set that forgets at a steady pace then refills the same table
  // and allocates nothing.
  std::size_t size = std::max<std::size_t>(slots_.size(), 1 << 12);
  while (size * 3 < ids * 4 + 4) size *= 2;
  slots_.assign(size, Slot{});
  count_ = 0;
  std::size_t mask = size - 1;
  ByteReader in(arena_, "id set");
  while (!in.done()) {
    auto offset = static_cast<std::uint32_t>(arena_.size() - in.remaining());
    std::string_view id = in.text();
    in.signed_varint();
    std::uint64_t hash = hash_of(id);
    std::size_t i = hash & mask;
    while (slots_[i].tag != 0) {
      if (stored(slots_[i].offset) == id) in.fail("an id stored twice");
      i = (i + 1) & mask;
    }
    slots_[i] = Slot{tag_of(hash), offset};
    ++count_;
  }
}

void IdSet::save(std::string& out) const {
  put_text(out, arena_);
}

void IdSet::restore(ByteReader& in) {
  arena_.assign(in.text());
  if (arena_.size() > UINT32_MAX) in.fail("more than 4 GiB of event ids");
  index_arena();
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
