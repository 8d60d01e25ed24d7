// Reads a pack and, transitively, every file it uses; each file is parsed once.
#pragma once

#include <vector>

#include "bylaw/check/checker.hpp"
#include "bylaw/syntax/ast.hpp"

namespace bylaw::check {

struct LoadedFiles {
  std::vector<syntax::File> files;  // files[0] is the pack; the rest in first-use order
};

// Returns nothing when the pack itself cannot be read (`fatal` says why); other files that
// cannot be read, and cycles of `use`, are diagnosed at the `use` that names them.
std::optional<LoadedFiles> load_files(const std::string& pack_path, const FileReader& reader,
                                      SourceSet& sources, Diagnostics& diagnostics,
                                      std::string& fatal);

}  // namespace bylaw::check
