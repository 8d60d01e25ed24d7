// Loading a policy: read the pack and every file it uses, parse, resolve names, type-check.
// Either the whole policy checks, or there is no policy: never half of one.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/diagnostics.hpp"

namespace bylaw::check {

// Where a policy's files come from. The checker only asks: io::DiskFiles reads the file system
// (reading files is io's job), tests and fuzzers give files from memory (FileFunction).
class FileReader {
 public:
  virtual ~FileReader() = default;
  // The file's text; nothing, with `error` saying why, when it cannot be read.
  virtual std::optional<std::string> read(const std::string& path, std::string& error) const = 0;
  // One name per file however it is reached, so that a loop of paths that grow without
  // repeating is still one file (on disk: its canonical path, through symbolic links). By
  // default, the path itself.
  virtual std::string identity(const std::string& path) const { return path; }
};

// Files from a function (tests, fuzzing); each path is its own file.
class FileFunction final : public FileReader {
 public:
  using Read = std::function<std::optional<std::string>(const std::string&, std::string&)>;
  explicit FileFunction(Read read) : read_(std::move(read)) {}
  std::optional<std::string> read(const std::string& path, std::string& error) const override {
    return read_(path, error);
  }

 private:
  Read read_;
};

struct LoadResult {
  std::optional<Policy> policy;  // set only when there are no errors
  Diagnostics diagnostics;
  std::shared_ptr<SourceSet> sources;
  std::string fatal;  // the pack itself could not be read

  std::string render() const;
};

LoadResult load_policy(const std::string& pack_path, const FileReader& reader);

}  // namespace bylaw::check
