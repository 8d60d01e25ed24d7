#include "loop_watch.hpp"

#include <fmt/format.h>

namespace bylaw::service {

LoopWatch::LoopWatch(std::function<void(const std::string&)> say, std::chrono::milliseconds after)
    : say_(std::move(say)), after_(after), since_ms_(now_ms()), thread_([this] { watch(); }) {}

LoopWatch::~LoopWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void LoopWatch::at(const char* place) {
  std::int64_t now = now_ms();
  std::lock_guard lock(place_mutex_);
  place_ = place;
  since_ms_ = now;
}

std::int64_t LoopWatch::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void LoopWatch::tell(const std::string& what) {
  try {
    say_(what);
  } catch (...) {  // a report that cannot be made (no memory) must not end the process
  }
}

void LoopWatch::watch() {
  // The stay reported last (when it began, and where), so that each is told once, and its end.
  std::int64_t reported_since = -1;
  const char* reported_place = nullptr;
  auto check_every = std::max(std::chrono::milliseconds(1), after_ / 10);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, check_every, [this] { return stopping_; })) {
    std::int64_t since;
    const char* place;
    {
      std::lock_guard place_lock(place_mutex_);
      since = since_ms_;
      place = place_;
    }
    std::int64_t stayed = now_ms() - since;
    if (reported_place && since != reported_since) {
      tell(fmt::format("the loop goes on, after {:.1f} s at {}",
                       static_cast<double>(since - reported_since) / 1000, reported_place));
      reported_place = nullptr;
    }
    if (!reported_place && stayed >= after_.count()) {
      tell(fmt::format("the loop has been at {} for {:.1f} s", place,
                       static_cast<double>(stayed) / 1000));
      reported_since = since;
      reported_place = place;
    }
  }
}

}  // namespace bylaw::service
