// Where a durable run's events come from: a file or a pipe (FileLineSource, here in io), or a
// broker's stream (bylaw serve's NATS JetStream consumer, in service). The run only needs lines
// in order, a position a checkpoint can record, and a way back to that position after a crash.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "bylaw/io/checkpoint.hpp"

namespace bylaw::io {

// Where the source is after the last line it gave: what a checkpoint records.
struct SourcePosition {
  // A file: bytes consumed, and where the last line starts. A stream: the last message's
  // sequence, both times.
  std::uint64_t offset = 0;
  std::uint64_t last_line_start = 0;
  // The last line's bytes as they were read (a file's line end included), hashed into the
  // checkpoint so that a resume can tell the input is the same one.
  std::string_view last_line;
};

class LineSource {
 public:
  virtual ~LineSource() = default;

  // For messages: a path, "standard input", "stream EVENTS".
  virtual const std::string& name() const = 0;
  // Where reading begins: the unfinished checkpoint `resume_from` (the same input after a crash
  // or a stop; RunRefused when this is not the input it was taken on, `line` and `hint` for the
  // message), or the beginning when null.
  virtual void start(const Checkpoint* resume_from, std::uint64_t line,
                     const std::string& hint) = 0;
  // The next line without its line end, valid until the next call; false at the end of the
  // input or once a stop was asked for (interrupted()). Throws std::runtime_error when reading
  // fails.
  virtual bool next(std::string_view& line) = 0;
  virtual bool interrupted() const = 0;
  virtual SourcePosition position() const = 0;

  // Live (not a regular file): decisions must go out by time, since the input may go quiet.
  virtual bool live() const = 0;
  // Called every `every_ms` milliseconds while next() waits for input that does not come.
  virtual void on_idle(std::function<void()> idle, int every_ms) = 0;
  // What waits to be read, where that is known (bytes of a file or pipe, messages of a stream).
  virtual std::uint64_t waiting() const = 0;
  // Far behind: much more is waiting than one read brings (a broker's stream being caught up
  // on). Its events have waited already, so checkpoints may come further apart.
  virtual bool backlogged() const { return false; }
  // How a reject names the line just read: its number in a file (`line`), its sequence in a
  // stream.
  virtual std::uint64_t reject_line(std::uint64_t line) const { return line; }
  // The checkpoint at `offset` committed: a broker may now forget the messages it covers.
  virtual void committed(std::uint64_t /*offset*/) {}
};

}  // namespace bylaw::io
