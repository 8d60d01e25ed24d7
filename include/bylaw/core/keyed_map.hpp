// The table of every piece of state keyed by text from the stream (windows, `latest` indexes,
// remembered decisions, holds): open addressing with linear probing over a power-of-two array of
// 16-byte slots, each the key's keyed hash (keyed_hash.hpp) and a pointer to its node. Nodes come
// from the table's own NodePool and never move, so state can link them to each other (TouchOrder).
//
// Why not std::unordered_map: a lookup there reads the bucket array, then the node before the
// bucket's first (libstdc++ reaches a bucket through its predecessor), then the node, dividing the
// hash by a prime at each step; in a table larger than the cache every read is a miss. Here a
// lookup reads one slot, compares the whole 64-bit hash there, and reads the node only on a match:
// one miss for the slot and one for the node the caller wants anyway. Erasing shifts the slots
// after it back into the gap (no tombstones), so probe sequences stay as short under churn as
// after inserts alone.
//
// A key's home slot is the top bits of its hash times an odd number of the table's own. Tables
// are filled in another table's slot order (a checkpoint lists a table in its order, a restore
// puts the keys back one by one into a table that starts small): if every table took its slots
// from the hash alone, those keys would come sorted by their home in the new table too, and pile
// into the part of it they cover so far, each walking a run hundreds of slots long. A factor per
// table makes one table's order no order for another.
//
// Iteration follows the slots, so its order depends on the process's hash key: as with the map
// it replaces, no answer may depend on it (keyed_hash.hpp).
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "bylaw/core/keyed_hash.hpp"
#include "bylaw/core/node_pool.hpp"

namespace bylaw {

template <class V>
class KeyedMap {
  struct Slot {
    std::uint64_t hash = 0;
    std::pair<const std::string, V>* node = nullptr;  // null: the slot is empty
  };

 public:
  using value_type = std::pair<const std::string, V>;

  template <bool Const>
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = KeyedMap::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const value_type*, value_type*>;
    using reference = std::conditional_t<Const, const value_type&, value_type&>;

    Iterator() = default;
    template <bool C = Const, class = std::enable_if_t<C>>
    Iterator(const Iterator<false>& other) : at_(other.at_), end_(other.end_) {}  // NOLINT

    reference operator*() const { return *at_->node; }
    pointer operator->() const { return at_->node; }
    Iterator& operator++() {
      ++at_;
      skip_empty();
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.at_ == b.at_; }
    friend bool operator!=(const Iterator& a, const Iterator& b) { return a.at_ != b.at_; }

   private:
    friend class KeyedMap;
    template <bool>
    friend class Iterator;  // a const iterator is made from a mutable one
    Iterator(const Slot* at, const Slot* end) : at_(at), end_(end) { skip_empty(); }
    void skip_empty() {
      while (at_ != end_ && !at_->node) ++at_;
    }
    const Slot* at_ = nullptr;
    const Slot* end_ = nullptr;
  };
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;

  KeyedMap() = default;
  // Nodes stay where they are: links into them survive the move.
  KeyedMap(KeyedMap&& other) noexcept
      : slots_(std::exchange(other.slots_, {})),
        salt_(other.salt_),  // the slots were placed with it
        size_(std::exchange(other.size_, 0)),
        nodes_(std::move(other.nodes_)) {}
  KeyedMap& operator=(KeyedMap&& other) noexcept {
    if (this != &other) {
      clear();
      slots_ = std::exchange(other.slots_, {});
      salt_ = other.salt_;
      size_ = std::exchange(other.size_, 0);
      nodes_ = std::move(other.nodes_);
    }
    return *this;
  }
  // A copy could not keep links between nodes; no state is copied.
  KeyedMap(const KeyedMap&) = delete;
  KeyedMap& operator=(const KeyedMap&) = delete;
  ~KeyedMap() { clear(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  iterator begin() { return {slots_.data(), slots_.data() + slots_.size()}; }
  iterator end() { return {slots_.data() + slots_.size(), slots_.data() + slots_.size()}; }
  const_iterator begin() const { return {slots_.data(), slots_.data() + slots_.size()}; }
  const_iterator end() const {
    return {slots_.data() + slots_.size(), slots_.data() + slots_.size()};
  }

  iterator find(std::string_view key) { return iterator_at(locate(key, keyed_hash(key))); }
  const_iterator find(std::string_view key) const { return const_cast<KeyedMap*>(this)->find(key); }

  // Inserts a node made of `key` and `args` unless `key` is there; either way, where it is.
  // `key` is copied into a string only when it is new.
  template <class K, class... Args>
  std::pair<iterator, bool> try_emplace(K&& key, Args&&... args) {
    std::string_view view(key);
    std::uint64_t hash = keyed_hash(view);
    std::size_t i = locate(view, hash);
    if (i != kNowhere && slots_[i].node) return {iterator_at(i), false};
    if ((size_ + 1) * 4 > slots_.size() * 3) {  // at most three-quarters full
      grow();
      i = locate(view, hash);
    }
    slots_[i] = Slot{
        hash, nodes_.make(std::piecewise_construct, std::forward_as_tuple(std::forward<K>(key)),
                          std::forward_as_tuple(std::forward<Args>(args)...))};
    ++size_;
    return {iterator_at(i), true};
  }
  template <class K>
  std::pair<iterator, bool> emplace(K&& key, V value) {
    return try_emplace(std::forward<K>(key), std::move(value));
  }
  template <class K>
  V& operator[](K&& key) {
    return try_emplace(std::forward<K>(key)).first->second;
  }

  std::size_t erase(std::string_view key) {
    std::size_t i = locate(key, keyed_hash(key));
    if (i == kNowhere || !slots_[i].node) return 0;
    remove_at(i);
    return 1;
  }
  // Returns nothing: erasing moves later slots back, so "the next one" has no fixed place.
  void erase(const_iterator it) {
    assert(it.at_ != slots_.data() + slots_.size() && it.at_->node);
    remove_at(static_cast<std::size_t>(it.at_ - slots_.data()));
  }

  void clear() {
    for (Slot& slot : slots_) {
      if (slot.node) nodes_.destroy(slot.node);
    }
    slots_ = {};
    size_ = 0;
    nodes_ = {};  // the memory too
  }

  // How far the keys sit from the slots their hashes point at, all together: the slots that
  // looking up every key once reads beyond the first. About half a slot a key at half full and
  // one and a half at three quarters, with keys that spread; hundreds when they pile up. For the
  // tests that flood the table or fill it in another's order.
  std::size_t probes() const {
    std::size_t total = 0;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].node) total += (i - home(slots_[i].hash)) & mask;
    }
    return total;
  }

 private:
  static constexpr std::size_t kNowhere = ~std::size_t{0};

  iterator iterator_at(std::size_t i) {
    if (i == kNowhere || !slots_[i].node) return end();
    return {&slots_[i], slots_.data() + slots_.size()};
  }

  // The slot holding `key`, or the empty slot where it would go; kNowhere while there are no
  // slots.
  std::size_t locate(std::string_view key, std::uint64_t hash) const {
    if (slots_.empty()) return kNowhere;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = home(hash);; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (!slot.node || (slot.hash == hash && slot.node->first == key)) return i;
    }
  }

  // The slot a key's hash points at (see the top of this file).
  std::size_t home(std::uint64_t hash) const {
    // The top log2(slots) bits; only called when there are slots.
    int bits = std::countr_zero(slots_.size());
    return static_cast<std::size_t>((hash * salt_) >> (64 - bits));
  }
  static std::uint64_t next_salt() {
    static std::atomic<std::uint64_t> tables{0};
    return (++tables * 0x9E3779B97F4A7C15u) | 1u;  // odd: a bijection of the hashes
  }

  void grow() {
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(grown_size(), Slot{}));
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (!slot.node) continue;
      std::size_t i = home(slot.hash);
      while (slots_[i].node) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }
  std::size_t grown_size() const { return slots_.empty() ? 8 : slots_.size() * 2; }

  // Backward-shift deletion: each later slot of the run moves into the gap when the gap lies
  // between its home and where it is, so every key stays reachable from its home.
  void remove_at(std::size_t gap) {
    nodes_.destroy(slots_[gap].node);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t j = (gap + 1) & mask; slots_[j].node; j = (j + 1) & mask) {
      if (((j - home(slots_[j].hash)) & mask) >= ((j - gap) & mask)) {
        slots_[gap] = slots_[j];
        gap = j;
      }
    }
    slots_[gap] = Slot{};
    --size_;
  }

  std::vector<Slot> slots_;  // empty, or a power of two
  std::uint64_t salt_ = next_salt();
  std::size_t size_ = 0;
  NodePool<value_type> nodes_;
};

}  // namespace bylaw
