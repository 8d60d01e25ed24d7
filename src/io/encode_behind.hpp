// Encoding on a thread of its own, behind evaluation (`run --threads 3` or more, with decoding
// ahead): the evaluating thread hands each decision over whole (moved, not copied: the engine is
// done with it) in batches, and the thread passes them in the same order to the sink that
// encodes and writes them. The bytes are the same as encoding on the evaluating thread; only the
// work moves. Batches in flight are bounded, so a slow output holds evaluation back instead of
// piling decisions up in memory.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "bylaw/runtime/engine.hpp"

namespace bylaw::io {

class EncodeBehind : public runtime::DecisionSink {
 public:
  // `encoder` gets every decision, on the thread only, until finish() returns.
  explicit EncodeBehind(runtime::DecisionSink& encoder);
  // Stops the thread; what was handed over and not encoded yet is dropped (the run failed).
  ~EncodeBehind() override;
  EncodeBehind(const EncodeBehind&) = delete;
  EncodeBehind& operator=(const EncodeBehind&) = delete;

  void on_decision(const runtime::Decision& decision) override;
  void take_decision(runtime::Decision&& decision) override;
  // Returns once every decision handed over went to the encoder; rethrows what the encoder threw
  // (a write that failed), which also surfaces at the next hand-over.
  void finish();

 private:
  static constexpr std::size_t kDecisionsPerBatch = 64;
  static constexpr std::size_t kBatchesBehind = 16;  // bounds the memory waiting to be encoded
  using Batch = std::vector<runtime::Decision>;

  void hand_over();    // the batch being filled, to the thread
  void encode_all();   // the thread
  bool encode_next();  // one batch; false once finishing and all are done

  runtime::DecisionSink& encoder_;
  Batch filling_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  std::vector<Batch> spare_;
  bool finishing_ = false;  // no more batches come
  bool stopping_ = false;   // drop what is left
  bool done_ = false;       // the thread has ended
  std::exception_ptr error_;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace bylaw::io
