// An output of `bylaw run` written through its file descriptor, so that a resumed run can cut a
// file back to the length its last checkpoint committed. Standard output cannot be cut back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bylaw/io/run_output.hpp"

namespace bylaw::io {

class OutputFile : public RunOutput {
 public:
  // `path` "-": standard output. `truncate`: start empty (a fresh run).
  static std::unique_ptr<OutputFile> open(const std::string& path, bool truncate,
                                          std::string& error);
  ~OutputFile() override;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& name() const override { return name_; }
  bool can_cut() const override { return regular_; }
  std::uint64_t size() const override;
  void cut_to(std::uint64_t length) override;
  // Writes all of `bytes` at the end; throws std::runtime_error when it cannot.
  void append(std::string_view bytes) override;
  void sync() override;

 private:
  OutputFile(int fd, bool owned, bool regular, std::string name)
      : fd_(fd), owned_(owned), regular_(regular), name_(std::move(name)) {}
  int fd_;
  bool owned_;
  bool regular_;
  std::string name_;
};

}  // namespace bylaw::io
