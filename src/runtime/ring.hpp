// A FIFO queue on one growable circular buffer. Unlike std::deque it frees nothing as entries
// come and go: a popped slot keeps its object (and the object's own buffers) for the next push
// to overwrite, so a window that slides at a steady size allocates nothing.
#pragma once

#include <cstddef>
#include <iterator>
#include <vector>

namespace bylaw::runtime {

template <class T>
class Ring {
 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator(const Ring* ring, std::size_t index) : ring_(ring), index_(index) {}
    const T& operator*() const { return (*ring_)[index_]; }
    const T* operator->() const { return &(*ring_)[index_]; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.index_ == b.index_;
    }

   private:
    const Ring* ring_;
    std::size_t index_;
  };

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  const T& operator[](std::size_t i) const { return slots_[(head_ + i) & (slots_.size() - 1)]; }
  const T& front() const { return slots_[head_]; }
  const T& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  void pop_front() {
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
  }
  // A slot at the back holding whatever was there before: the caller overwrites every member.
  T& push_back() {
    if (size_ == slots_.size()) grow();
    ++size_;
    return slots_[(head_ + size_ - 1) & (slots_.size() - 1)];
  }

 private:
  void grow() {
    std::vector<T> larger(slots_.empty() ? 4 : slots_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) {
      larger[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
    }
    slots_.swap(larger);
    head_ = 0;
  }

  std::vector<T> slots_;  // a power of two in size, or empty
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace bylaw::runtime
