// The input of a run, read through its descriptor: a checkpoint says where it was in bytes; a
// signal must be able to end a read that waits on a quiet pipe; and a run that waits for input
// can still act on time (write what it has, take a checkpoint).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "bylaw/core/stop_flag.hpp"

namespace bylaw::io {

class InputFile {
 public:
  // `path` "-": standard input. Throws RunRefused when the file cannot be opened.
  InputFile(const std::string& path, const StopFlag* stop);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Up to `size` bytes; 0 at the end; LineReader::kInterrupted once asked to stop.
  std::size_t read(char* buffer, std::size_t size);
  // Called, while a read waits for input that does not come, every `every_ms` milliseconds.
  void on_idle(std::function<void()> idle, int every_ms);

  // Moves to `offset`: a seek in a file, reading and dropping the bytes from a pipe.
  void skip_to(std::uint64_t offset);
  // Exactly `size` bytes, fewer only at the end.
  std::string read_exactly(std::uint64_t size);

  const std::string& name() const { return name_; }
  // A regular file (read in large blocks) rather than a pipe, a socket or a terminal.
  bool regular() const { return regular_; }
  // Identifies the file, to tell an output that is the input itself.
  std::uint64_t device() const { return device_; }
  std::uint64_t inode() const { return inode_; }
  // Bytes waiting to be read after `offset`: the rest of a regular file, what a pipe holds.
  std::uint64_t waiting(std::uint64_t offset) const;
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

 private:
  bool wait_readable();

  int fd_ = -1;
  bool owned_ = false;
  bool regular_ = false;
  std::uint64_t device_ = 0;
  std::uint64_t inode_ = 0;
  std::string name_;
  const StopFlag* stop_;
  std::function<void()> idle_;
  int wait_ms_ = 100;
  bool failed_ = false;
  std::string error_;
};

}  // namespace bylaw::io
