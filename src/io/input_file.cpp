#include "input_file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "bylaw/io/durable_run.hpp"
#include "bylaw/io/line_reader.hpp"

namespace bylaw::io {

InputFile::InputFile(const std::string& path, const StopFlag* stop) : stop_(stop) {
  if (path == "-") {
    fd_ = STDIN_FILENO;
    name_ = "standard input";
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      throw RunRefused(fmt::format("cannot read input '{}': {}", path, std::strerror(errno)));
    }
    owned_ = true;
    name_ = path;
  }
  struct stat info {};
  if (fstat(fd_, &info) == 0) {
    regular_ = S_ISREG(info.st_mode);
    device_ = info.st_dev;
    inode_ = info.st_ino;
  }
}

InputFile::~InputFile() {
  if (owned_) ::close(fd_);
}

void InputFile::on_idle(std::function<void()> idle, int every_ms) {
  idle_ = std::move(idle);
  wait_ms_ = every_ms;
}

std::size_t InputFile::read(char* buffer, std::size_t size) {
  while (true) {
    if (stop_ && *stop_) return LineReader::kInterrupted;
    if (!regular_ && (stop_ || idle_) && !wait_readable()) {
      if (idle_) idle_();
      continue;  // no input yet: look at the stop flag again
    }
    ssize_t n = ::read(fd_, buffer, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;  // the loop's test sees a stop
    failed_ = true;
    error_ = std::strerror(errno);
    return 0;
  }
}

// Whether input (or its end) is there within a short wait. A stop requested between the test
// of the flag and a read that blocks on a quiet pipe would go unseen until more input came: the
// bounded wait sees it within wait_ms_ instead.
bool InputFile::wait_readable() {
  pollfd ready{fd_, POLLIN, 0};
  int n = ::poll(&ready, 1, wait_ms_);
  return n > 0 || (n < 0 && errno != EINTR);  // an error: the read reports it
}

std::uint64_t InputFile::waiting(std::uint64_t offset) const {
  if (regular_) {
    struct stat info {};
    if (fstat(fd_, &info) != 0) return 0;
    auto size = static_cast<std::uint64_t>(info.st_size);
    return size > offset ? size - offset : 0;
  }
  int queued = 0;
  return ioctl(fd_, FIONREAD, &queued) == 0 && queued > 0 ? static_cast<std::uint64_t>(queued) : 0;
}

void InputFile::skip_to(std::uint64_t offset) {
  if (lseek(fd_, static_cast<off_t>(offset), SEEK_SET) >= 0) return;
  std::string scratch(1 << 16, '\0');
  while (offset > 0) {
    std::size_t n = read(scratch.data(), std::min<std::uint64_t>(offset, scratch.size()));
    if (n == 0 || n == LineReader::kInterrupted) break;
    offset -= n;
  }
}

std::string InputFile::read_exactly(std::uint64_t size) {
  std::string out(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    std::size_t n = read(out.data() + got, size - got);
    if (n == 0 || n == LineReader::kInterrupted) break;
    got += n;
  }
  out.resize(got);
  return out;
}

}  // namespace bylaw::io
