#include "encode_behind.hpp"

#include <utility>

namespace bylaw::io {

EncodeBehind::EncodeBehind(runtime::DecisionSink& encoder)
    : encoder_(encoder), thread_([this] { encode_all(); }) {}

EncodeBehind::~EncodeBehind() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void EncodeBehind::on_decision(const runtime::Decision& decision) {
  take_decision(runtime::Decision(decision));
}

void EncodeBehind::take_decision(runtime::Decision&& decision) {
  filling_.push_back(std::move(decision));
  if (filling_.size() >= kDecisionsPerBatch) hand_over();
}

void EncodeBehind::hand_over() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return ready_.size() < kBatchesBehind || error_; });
  if (error_) std::rethrow_exception(error_);
  ready_.push_back(std::exchange(filling_, Batch()));
  if (!spare_.empty()) {
    filling_ = std::move(spare_.back());
    spare_.pop_back();
  }
  changed_.notify_all();
  lock.unlock();
  // The encoded decisions' memory goes back on the thread that allocated it: freed from the
  // encoding thread, every block would take the allocator's lock of the evaluating thread's arena.
  filling_.clear();
}

void EncodeBehind::finish() {
  if (!filling_.empty()) hand_over();
  std::unique_lock lock(mutex_);
  finishing_ = true;
  changed_.notify_all();
  changed_.wait(lock, [this] { return done_; });
  if (error_) std::rethrow_exception(error_);
}

void EncodeBehind::encode_all() {
  try {
    while (encode_next()) {
    }
  } catch (...) {  // the evaluating thread rethrows it, in its turn
    std::lock_guard lock(mutex_);
    error_ = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  done_ = true;
  changed_.notify_all();
}

bool EncodeBehind::encode_next() {
  Batch batch;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty() || finishing_ || stopping_; });
    if (stopping_ || ready_.empty()) return false;
    batch = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
  }
  for (const runtime::Decision& decision : batch) encoder_.on_decision(decision);
  std::lock_guard lock(mutex_);  // the batch goes back whole, to be cleared where it was filled
  spare_.push_back(std::move(batch));
  return true;
}

}  // namespace bylaw::io
