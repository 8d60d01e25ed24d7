// Decoding on a thread of its own, ahead of evaluation (`run --threads`): one thread reads lines
// and decodes them (parsing, validating against the schema) in batches; the caller's thread takes
// the batches in input order and evaluates them (StreamRunner::decoded_line), so the decisions
// and their order are the same as decoding line by line. Only the duplicate check waits for the
// evaluating thread, since it depends on the ids evaluation has used up.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bylaw/check/schema.hpp"
#include "bylaw/io/event_decoder.hpp"
#include "bylaw/io/line_reader.hpp"

namespace bylaw::io {

// Lines read and decoded together: their text, back to back, and what each decoded to.
struct DecodedBatch {
  std::string text;
  std::vector<std::size_t> ends;  // where each line's text ends in `text`
  std::vector<DecodedLine> lines;
  std::string_view line(std::size_t i) const {
    std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(text).substr(begin, ends[i] - begin);
  }
  void clear() {
    text.clear();
    ends.clear();
    lines.clear();
  }
};

class DecodeAhead {
 public:
  // Reads `reader` to its end; the first line is line number `first_line`.
  DecodeAhead(const check::Schema& schema, LineReader& reader, std::uint64_t first_line);
  ~DecodeAhead();  // waits for the thread: it ends at the end of the input, or on stop()
  DecodeAhead(const DecodeAhead&) = delete;
  DecodeAhead& operator=(const DecodeAhead&) = delete;

  // The next batch in input order; null once every line was handed out. Give it back when done.
  std::unique_ptr<DecodedBatch> next();
  void give_back(std::unique_ptr<DecodedBatch> batch);
  // Asks the thread to stop after the batch it is decoding (an error on the evaluating side).
  void stop();

 private:
  static constexpr std::size_t kLinesPerBatch = 512;
  static constexpr std::size_t kBatchesAhead = 8;  // bounds the memory decoded ahead

  void decode_all();  // the thread
  void decode_batches();
  std::unique_ptr<DecodedBatch> spare_batch();

  EventDecoder decoder_;
  LineReader& reader_;
  std::uint64_t next_line_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<DecodedBatch>> ready_;
  std::vector<std::unique_ptr<DecodedBatch>> spare_;
  bool done_ = false;
  bool stopping_ = false;
  std::exception_ptr error_;  // what ended the thread early
  std::thread thread_;        // last: starts once everything above exists
};

}  // namespace bylaw::io
