#include "output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace bylaw::io {

std::unique_ptr<OutputFile> OutputFile::open(const std::string& path, bool truncate,
                                             std::string& error) {
  if (path == "-") {
    // Even redirected to a file, standard output is not ours to cut: the shell opened it, maybe
    // to append to what was there.
    return std::unique_ptr<OutputFile>(
        new OutputFile(STDOUT_FILENO, false, false, "standard output"));
  }
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  struct stat info {};
  bool regular = fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  return std::unique_ptr<OutputFile>(new OutputFile(fd, true, regular, path));
}

OutputFile::~OutputFile() {
  if (owned_) ::close(fd_);
}

std::uint64_t OutputFile::size() const {
  struct stat info {};
  if (fstat(fd_, &info) != 0) {
    throw std::runtime_error(fmt::format("{}: {}", name_, std::strerror(errno)));
  }
  return static_cast<std::uint64_t>(info.st_size);
}

void OutputFile::cut_to(std::uint64_t length) {
  if (ftruncate(fd_, static_cast<off_t>(length)) != 0) {
    throw std::runtime_error(fmt::format("cannot cut {} back: {}", name_, std::strerror(errno)));
  }
}

void OutputFile::append(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("writing {} failed: {}", name_, std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void OutputFile::sync() {
  if (regular_ && fdatasync(fd_) != 0) {
    throw std::runtime_error(fmt::format("syncing {} failed: {}", name_, std::strerror(errno)));
  }
}

}  // namespace bylaw::io
