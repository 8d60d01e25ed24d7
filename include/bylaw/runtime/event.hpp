// A typed event: what the decoder makes of one input line, laid out by the schema.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bylaw/core/time.hpp"
#include "bylaw/core/value.hpp"

namespace bylaw::runtime {

class EventPool;
class EventPtr;

struct Event {
  int type = -1;               // index into the policy's schema
  std::string id;              // envelope id; empty for the engine's timers
  Time time;                   // envelope time, UTC
  std::uint64_t sequence = 0;  // input order: breaks ties in time
  std::uint64_t line = 0;      // input line number, 1-based; 0 for timers
  std::vector<Value> fields;   // by the schema's field slots

 private:
  friend class EventPtr;
  friend class EventPool;
  // Events are shared by one thread only, so a plain count does (no atomic operations). A copy
  // of an event is a new event: it starts unshared and outside any pool.
  struct Sharing {
    std::uint32_t references = 0;
    EventPool* pool = nullptr;  // where it goes back when unused; null: deleted instead
    Sharing() = default;
    Sharing(const Sharing&) {}
    Sharing& operator=(const Sharing&) { return *this; }
  };
  mutable Sharing sharing_;
};

// Events are shared: correlation indexes and the lateness buffer keep the ones they need. A
// reference-counted handle to an immutable event, like std::shared_ptr<const Event> but without
// a separate control block, so a pooled event costs no allocation to share.
class EventPtr {
 public:
  EventPtr() = default;
  EventPtr(std::nullptr_t) {}  // NOLINT: converts like a pointer
  // Shares an event made by `share` or taken from an EventPool.
  explicit EventPtr(Event* event) : event_(event) { retain(); }
  EventPtr(const EventPtr& other) : event_(other.event_) { retain(); }
  EventPtr(EventPtr&& other) noexcept : event_(other.event_) { other.event_ = nullptr; }
  EventPtr& operator=(EventPtr other) noexcept {
    std::swap(event_, other.event_);
    return *this;
  }
  ~EventPtr() { release(); }

  const Event* get() const { return event_; }
  const Event& operator*() const { return *event_; }
  const Event* operator->() const { return event_; }
  explicit operator bool() const { return event_ != nullptr; }
  void reset() { EventPtr().swap(*this); }
  void swap(EventPtr& other) noexcept { std::swap(event_, other.event_); }
  friend bool operator==(const EventPtr& a, const EventPtr& b) { return a.event_ == b.event_; }
  friend bool operator==(const EventPtr& a, std::nullptr_t) { return a.event_ == nullptr; }

 private:
  void retain() {
    if (event_) ++event_->sharing_.references;
  }
  void release();

  Event* event_ = nullptr;
};

// An event on the heap, shared from now on (tests, timers, and other cold paths).
EventPtr share(Event event);

// Recycles events: one whose last reference goes comes back here with its strings and field
// vector still allocated, so decoding the next line into it allocates nothing once warm.
// Events still referenced when the pool goes are deleted by their last reference instead.
class EventPool {
 public:
  EventPool() = default;
  EventPool(const EventPool&) = delete;
  EventPool& operator=(const EventPool&) = delete;
  ~EventPool();

  // An unused event to fill in, then wrap in an EventPtr. Its fields hold whatever the last
  // event left there: overwrite them all.
  Event* acquire();
  std::size_t allocated() const { return all_.size(); }
  // Events are acquired on one thread (a decoder running ahead) and given back on another (the
  // evaluation): returns then go through a locked list, which acquire takes over whole when its
  // own runs out. Set before the first acquire.
  void share_between_threads() { between_threads_ = true; }

 private:
  friend class EventPtr;
  void give_back(Event* event);

  std::vector<Event*> all_;
  std::vector<Event*> free_;
  bool between_threads_ = false;
  std::mutex returned_mutex_;
  std::vector<Event*> returned_;  // given back from another thread, under returned_mutex_
};

}  // namespace bylaw::runtime
