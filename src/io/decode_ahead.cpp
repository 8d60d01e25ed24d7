#include "decode_ahead.hpp"

namespace bylaw::io {

DecodeAhead::DecodeAhead(const check::Schema& schema, LineReader& reader, std::uint64_t first_line)
    : decoder_(schema, true),
      reader_(reader),
      next_line_(first_line),
      thread_([this] { decode_all(); }) {}

DecodeAhead::~DecodeAhead() {
  stop();
  thread_.join();
}

void DecodeAhead::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  changed_.notify_all();
}

std::unique_ptr<DecodedBatch> DecodeAhead::spare_batch() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return ready_.size() < kBatchesAhead || stopping_; });
  if (spare_.empty()) return std::make_unique<DecodedBatch>();
  std::unique_ptr<DecodedBatch> batch = std::move(spare_.back());
  spare_.pop_back();
  return batch;
}

void DecodeAhead::decode_all() {
  try {
    decode_batches();
  } catch (...) {  // reading failed: the evaluating thread rethrows it, in its turn
    std::lock_guard lock(mutex_);
    error_ = std::current_exception();
    done_ = true;
    changed_.notify_all();
  }
}

void DecodeAhead::decode_batches() {
  std::string_view line;
  bool more = true;
  while (more) {
    std::unique_ptr<DecodedBatch> batch = spare_batch();
    batch->clear();
    while (batch->lines.size() < kLinesPerBatch && (more = reader_.next(line))) {
      // The sequence is the line number, as when decoding line by line.
      batch->lines.push_back(decoder_.decode_ahead(line, next_line_, next_line_));
      ++next_line_;
      batch->text += line;
      batch->ends.push_back(batch->text.size());
    }
    std::lock_guard lock(mutex_);
    if (!batch->lines.empty()) ready_.push_back(std::move(batch));
    if (stopping_) more = false;
    if (!more) done_ = true;
    changed_.notify_all();
  }
}

std::unique_ptr<DecodedBatch> DecodeAhead::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty() || done_; });
  if (ready_.empty()) {
    if (error_) std::rethrow_exception(error_);
    return nullptr;
  }
  std::unique_ptr<DecodedBatch> batch = std::move(ready_.front());
  ready_.pop_front();
  changed_.notify_all();
  return batch;
}

void DecodeAhead::give_back(std::unique_ptr<DecodedBatch> batch) {
  // Its events go back to their pools as the evaluation lets them go, not here: clearing only
  // drops references the batch still holds (lines that made no event hold none).
  batch->lines.clear();
  std::lock_guard lock(mutex_);
  spare_.push_back(std::move(batch));
}

}  // namespace bylaw::io
