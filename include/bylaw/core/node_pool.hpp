// Where a KeyedMap's nodes live: blocks of nodes the pool owns, and a list of the free ones.
// State keyed by stream data comes and goes at the pace of events (a contract's `latest` entry is
// made when it starts and swept when it expires), and a malloc and a free per key was the largest
// share of malloc's time in the engine. Taking a node here is popping a list. Nodes never move,
// and memory is kept for the next key rather than given back: a table costs what it held at its
// fullest, until it is destroyed.
//
// Under AddressSanitizer each node is allocated on its own instead: a cell reused at once would
// let a pointer kept past an erase read the next key's node unreported.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace bylaw {

template <class T>
class NodePool {
 public:
  // False under AddressSanitizer: each node on its own (see the top of this file).
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kPooled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  static constexpr bool kPooled = false;
#else
  static constexpr bool kPooled = true;
#endif
#else
  static constexpr bool kPooled = true;
#endif

  NodePool() = default;
  NodePool(NodePool&& other) noexcept
      : blocks_(std::move(other.blocks_)),
        free_(std::exchange(other.free_, nullptr)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  // Only onto a pool without live nodes (KeyedMap clears itself first): the pool frees memory,
  // not objects.
  NodePool& operator=(NodePool&& other) noexcept {
    blocks_ = std::move(other.blocks_);
    free_ = std::exchange(other.free_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;
  // Every node made must have been destroyed first: the pool frees memory, not objects.
  ~NodePool() = default;

  template <class... Args>
  T* make(Args&&... args) {
    if constexpr (!kPooled) {
      return new T(std::forward<Args>(args)...);
    } else {
      if (!free_) add_block();
      Free* cell = free_;
      free_ = cell->next;
      try {
        return ::new (static_cast<void*>(cell)) T(std::forward<Args>(args)...);
      } catch (...) {
        free_ = ::new (static_cast<void*>(cell)) Free{free_};
        throw;
      }
    }
  }
  void destroy(T* node) {
    if constexpr (!kPooled) {
      delete node;
    } else {
      node->~T();
      free_ = ::new (static_cast<void*>(node)) Free{free_};
    }
  }

 private:
  struct Free {
    Free* next;
  };
  union Cell {
    Free free;
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  // Blocks double from 4 cells to 1,024: a small table stays small, a large one takes a block
  // per thousand keys.
  void add_block() {
    std::size_t cells = std::clamp<std::size_t>(capacity_, 4, 1024);
    blocks_.push_back(std::unique_ptr<Cell[]>(new Cell[cells]));  // not zeroed: cells are free
    Cell* block = blocks_.back().get();
    for (std::size_t i = cells; i-- > 0;) free_ = ::new (&block[i].free) Free{free_};
    capacity_ += cells;
  }

  std::vector<std::unique_ptr<Cell[]>> blocks_;
  Free* free_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace bylaw
