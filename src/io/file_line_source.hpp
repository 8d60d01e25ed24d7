// A durable run's input when it is a file, a pipe, a socket or a terminal: lines in large
// blocks (LineReader), positions in bytes. Resuming a regular file seeks to the checkpoint and
// checks that the line before it is the same; a pipe cannot be read again, so what its producer
// sends now follows what the checkpoint covered.
#pragma once

#include <memory>
#include <string>

#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/line_reader.hpp"
#include "bylaw/io/line_source.hpp"
#include "input_file.hpp"

namespace bylaw::io {

class FileLineSource : public LineSource {
 public:
  // `path` "-": standard input. Throws RunRefused when it cannot be opened.
  FileLineSource(const std::string& path, const StopFlag* stop);

  const std::string& name() const override { return input_.name(); }
  void start(const Checkpoint* resume_from, std::uint64_t line, const std::string& hint) override;
  bool next(std::string_view& line) override;
  bool interrupted() const override { return reader_.interrupted(); }
  SourcePosition position() const override;
  bool live() const override { return !input_.regular(); }
  void on_idle(std::function<void()> idle, int every_ms) override;
  std::uint64_t waiting() const override { return input_.waiting(offset_); }

 private:
  InputFile input_;
  LineReader reader_;
  std::uint64_t base_ = 0;  // the offset reading (re)started from
  std::uint64_t offset_ = 0;
  std::uint64_t last_line_start_ = 0;
  // A copy of the last line's bytes, line end included: hashed only when a checkpoint is
  // taken. The copy reuses its buffer.
  std::string last_line_;
};

}  // namespace bylaw::io
