#include "file_line_source.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "bylaw/core/sha256.hpp"
#include "bylaw/io/durable_run.hpp"

namespace bylaw::io {

FileLineSource::FileLineSource(const std::string& path, const StopFlag* stop)
    : input_(path, stop),
      reader_([this](char* buffer, std::size_t size) { return input_.read(buffer, size); }) {}

void FileLineSource::start(const Checkpoint* resume_from, std::uint64_t line,
                           const std::string& hint) {
  if (!resume_from) return;
  const Checkpoint& c = *resume_from;
  // A stop before the next line keeps this place.
  base_ = offset_ = c.input_offset;
  last_line_start_ = c.last_line_start;
  if (!input_.regular()) return;
  input_.skip_to(c.last_line_start);
  last_line_ = input_.read_exactly(c.input_offset - c.last_line_start);
  if (Sha256::hex(last_line_) != c.last_line_hash) {
    throw RunRefused(fmt::format(
        "{} is not the input the checkpoint was taken on (line {} differs); resume with the "
        "same input, or {}",
        input_.name(), line, hint));
  }
}

bool FileLineSource::next(std::string_view& line) {
  if (!reader_.next(line)) {
    if (input_.failed()) {
      throw std::runtime_error(fmt::format("reading {} failed: {}", input_.name(), input_.error()));
    }
    return false;
  }
  offset_ = base_ + reader_.consumed();
  last_line_start_ = base_ + reader_.line_start();
  last_line_.assign(line);
  // The line end the reader dropped: what lies between the line and the next one's start.
  std::uint64_t ends = reader_.consumed() - reader_.line_start() - line.size();
  if (ends >= 1) last_line_ += ends == 2 ? "\r\n" : "\n";
  return true;
}

SourcePosition FileLineSource::position() const {
  return SourcePosition{offset_, last_line_start_, last_line_};
}

void FileLineSource::on_idle(std::function<void()> idle, int every_ms) {
  input_.on_idle(std::move(idle), every_ms);
}

}  // namespace bylaw::io
