// Reads lines from a stream in large blocks: much faster than std::getline on an istream. A line
// is whatever ends with '\n' (the '\n' is dropped; so is a '\r' before it), and a last line with
// no final newline is still a line.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace bylaw::io {

class LineReader {
 public:
  explicit LineReader(std::istream& in, std::size_t block = 1 << 20) : in_(in), block_(block) {}

  // The next line, valid until the next call; false at the end of the input.
  bool next(std::string_view& line);
  // Whether reading failed (not merely ended).
  bool failed() const { return in_.bad(); }

 private:
  bool fill();

  std::istream& in_;
  std::size_t block_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // the unread part of buffer_ is [begin_, end_)
  std::size_t end_ = 0;
  bool eof_ = false;
};

}  // namespace bylaw::io
