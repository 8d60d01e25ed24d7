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

// Reads a file's text; nullopt with `error` set when it cannot.
using FileReader =
    std::function<std::optional<std::string>(const std::string& path, std::string& error)>;

// Reads from the file system.
FileReader disk_reader();

struct LoadResult {
  std::optional<Policy> policy;  // set only when there are no errors
  Diagnostics diagnostics;
  std::shared_ptr<SourceSet> sources;
  std::string fatal;  // the pack itself could not be read

  std::string render() const;
};

LoadResult load_policy(const std::string& pack_path, const FileReader& reader = disk_reader());

}  // namespace bylaw::check
