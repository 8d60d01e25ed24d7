#include "bylaw/io/line_reader.hpp"

#include <cstring>

namespace bylaw::io {

LineReader::LineReader(std::istream& in, std::size_t block) : in_(&in), block_(block) {
  source_ = [this](char* buffer, std::size_t size) {
    in_->read(buffer, static_cast<std::streamsize>(size));
    return static_cast<std::size_t>(in_->gcount());
  };
}

LineReader::LineReader(Source source, std::size_t block)
    : source_(std::move(source)), block_(block) {}

bool LineReader::fill() {
  if (eof_) return false;
  // Keep the unread tail (a line cut by the block's end), then read another block after it.
  std::size_t tail = end_ - begin_;
  if (begin_ > 0 && tail > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, tail);
  begin_ = 0;
  end_ = tail;
  if (buffer_.size() < tail + block_) buffer_.resize(tail + block_);
  // A source may give less than asked before its end (a pipe): only 0 means the end.
  std::size_t got = source_(buffer_.data() + end_, block_);
  if (got == kInterrupted) {
    interrupted_ = true;
    return false;
  }
  end_ += got;
  delivered_ += got;
  if (got == 0 || (in_ && got < block_)) eof_ = true;
  return got > 0;
}

bool LineReader::next(std::string_view& line) {
  line_start_ = consumed();
  while (true) {
    const char* start = buffer_.data() + begin_;
    const void* newline = end_ > begin_ ? std::memchr(start, '\n', end_ - begin_) : nullptr;
    if (newline) {
      std::size_t length = static_cast<std::size_t>(static_cast<const char*>(newline) - start);
      begin_ += length + 1;
      if (length > 0 && start[length - 1] == '\r') --length;  // CRLF line ends
      line = std::string_view(start, length);
      return true;
    }
    if (!fill()) {
      if (end_ == begin_ || interrupted_) return false;
      // The last line, with no final newline.
      std::size_t length = end_ - begin_;
      const char* last = buffer_.data() + begin_;
      begin_ = end_;
      if (length > 0 && last[length - 1] == '\r') --length;
      line = std::string_view(last, length);
      return true;
    }
  }
}

}  // namespace bylaw::io
