#include "bylaw/runtime/event.hpp"

namespace bylaw::runtime {

void EventPtr::release() {
  if (!event_ || --event_->sharing_.references != 0) return;
  if (event_->sharing_.pool) {
    event_->sharing_.pool->give_back(event_);
  } else {
    delete event_;
  }
  event_ = nullptr;
}

EventPtr share(Event event) {
  return EventPtr(new Event(std::move(event)));
}

EventPool::~EventPool() {
  for (Event* event : all_) {
    if (event->sharing_.references == 0) {
      delete event;
    } else {
      event->sharing_.pool = nullptr;  // its last reference deletes it
    }
  }
}

void EventPool::give_back(Event* event) {
  if (!between_threads_) {
    free_.push_back(event);
    return;
  }
  std::lock_guard lock(returned_mutex_);
  returned_.push_back(event);
}

Event* EventPool::acquire() {
  if (free_.empty() && between_threads_) {
    std::lock_guard lock(returned_mutex_);
    free_.swap(returned_);
  }
  if (!free_.empty()) {
    Event* event = free_.back();
    free_.pop_back();
    return event;
  }
  auto* event = new Event();
  event->sharing_.pool = this;
  all_.push_back(event);
  return event;
}

}  // namespace bylaw::runtime
