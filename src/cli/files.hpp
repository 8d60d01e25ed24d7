// Files named on the command line: folders are searched (recursively, in sorted order) for the
// files a command works on; policy packs are loaded with their diagnostics shown.
#pragma once

#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"

namespace bylaw::cli {

// Each path that is a file, and every file under each folder whose extension is one of
// `extensions` (".test"); nothing, with `error` set, for a path that is neither.
std::optional<std::vector<std::string>> find_files(const std::vector<std::string>& paths,
                                                   const std::set<std::string>& extensions,
                                                   std::string& error);

// The pack at `path` and the files it uses, from disk. Its diagnostics go to `diagnostics`; when
// it does not load, so does "PATH: the policy does not load", and nothing is returned.
std::optional<check::Policy> load_pack(const std::string& path, std::FILE* diagnostics);

}  // namespace bylaw::cli
