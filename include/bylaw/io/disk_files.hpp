// Policy files from the file system, for the checker (check::FileReader).
#pragma once

#include <optional>
#include <string>

#include "bylaw/check/checker.hpp"

namespace bylaw::io {

class DiskFiles final : public check::FileReader {
 public:
  std::optional<std::string> read(const std::string& path, std::string& error) const override;
  // The canonical path when the file exists: through a symbolic link that loops (`d -> .`),
  // d/x.rules, d/d/x.rules, ... are all one file, and must not be loaded without end.
  std::string identity(const std::string& path) const override;
};

// A file's bytes; nothing, with `error` saying why (the system's reason), when it cannot be read.
std::optional<std::string> read_text_file(const std::string& path, std::string& error);

// Loads the pack at `pack_path` and every file it uses from the file system.
check::LoadResult load_policy_file(const std::string& pack_path);

}  // namespace bylaw::io
