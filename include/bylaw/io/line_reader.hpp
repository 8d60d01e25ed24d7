// Reads lines in large blocks: much faster than std::getline on an istream. A line is whatever
// ends with '\n' (the '\n' is dropped; so is a '\r' before it), and a last line with no final
// newline is still a line. It counts the bytes it has consumed, so that a checkpoint can say
// where in the input it was.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace bylaw::io {

class LineReader {
 public:
  // Fills `buffer` with up to `size` bytes; returns how many, 0 at the end of the input, or
  // kInterrupted when reading was interrupted (by a signal): next() then returns false without
  // taking a partial last line for a whole one.
  using Source = std::function<std::size_t(char* buffer, std::size_t size)>;
  static constexpr std::size_t kInterrupted = static_cast<std::size_t>(-1);

  explicit LineReader(std::istream& in, std::size_t block = 1 << 20);
  explicit LineReader(Source source, std::size_t block = 1 << 20);

  // The next line, valid until the next call; false at the end of the input.
  bool next(std::string_view& line);
  // Whether reading an istream failed (not merely ended).
  bool failed() const { return in_ && in_->bad(); }
  bool interrupted() const { return interrupted_; }
  // Bytes of input up to the end of the last line returned, its line end included.
  std::uint64_t consumed() const { return delivered_ - (end_ - begin_); }
  // Where the last line returned starts.
  std::uint64_t line_start() const { return line_start_; }

 private:
  bool fill();

  std::istream* in_ = nullptr;
  Source source_;
  std::size_t block_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // the unread part of buffer_ is [begin_, end_)
  std::size_t end_ = 0;
  std::uint64_t delivered_ = 0;  // bytes the source gave in all
  std::uint64_t line_start_ = 0;
  bool eof_ = false;
  bool interrupted_ = false;
};

}  // namespace bylaw::io
