#include "pack_files.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "bylaw/syntax/parser.hpp"

namespace bylaw::cli {

namespace fs = std::filesystem;

namespace {

std::string resolved_path(const fs::path& path) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(path, ec);
  return (ec ? path : resolved).string();
}

// The event types a rule file declares, from its syntax alone (it may not check on its own).
std::vector<std::string> declared_types(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  SourceSet sources;
  FileId id = sources.add(path.string(), text.str());
  Diagnostics ignored;
  syntax::File file = syntax::parse(sources, id, ignored);
  std::vector<std::string> types;
  for (const auto& event : file.events) types.push_back(event.name.name);
  return types;
}

// `path` as a `use` in a file of `folder` would write it.
std::string relative_to(const std::string& path, const fs::path& folder) {
  fs::path from = resolved_path(folder.empty() ? fs::path(".") : folder);
  return fs::path(resolved_path(path)).lexically_relative(from).string();
}

}  // namespace

std::vector<UnusedRuleFile> unused_rule_files(const SourceSet& loaded) {
  std::set<std::string> used;
  std::set<fs::path> folders;
  for (FileId id = 0; id < loaded.size(); ++id) {
    fs::path path = loaded.file(id).path();
    used.insert(resolved_path(path));
    folders.insert(path.parent_path().empty() ? fs::path(".") : path.parent_path());
  }
  std::vector<UnusedRuleFile> unused;
  std::set<std::string> seen;
  for (const auto& folder : folders) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".rules") continue;
      std::string key = resolved_path(entry.path());
      if (used.count(key) || !seen.insert(key).second) continue;
      unused.push_back({entry.path().lexically_normal().string(), declared_types(entry.path())});
    }
  }
  std::sort(unused.begin(), unused.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return unused;
}

std::string pack_file_notes(const std::vector<UnusedRuleFile>& unused,
                            const Diagnostics& diagnostics, const SourceSet& loaded,
                            std::size_t& warnings) {
  std::string out;
  fs::path pack_folder = fs::path(loaded.file(0).path()).parent_path();  // the pack loads first
  for (const auto& file : unused) {
    out += fmt::format(
        "{}: warning: this rule file is next to the pack's files, but the pack does not use it\n"
        "   = expected: a `use \"{}\"` in the pack, or the file moved elsewhere\n",
        file.path, relative_to(file.path, pack_folder));
    ++warnings;
  }
  const std::string prefix = "unknown event type '";
  for (const auto& d : diagnostics.all()) {
    if (d.severity != Severity::error || d.message.rfind(prefix, 0) != 0) continue;
    std::string type = d.message.substr(prefix.size(), d.message.size() - prefix.size() - 1);
    for (const auto& file : unused) {
      if (std::find(file.event_types.begin(), file.event_types.end(), type) ==
          file.event_types.end()) {
        continue;
      }
      fs::path from = fs::path(loaded.file(d.span.file).path()).parent_path();
      out += fmt::format("{}: note: '{}' is declared in {}: add `use \"{}\"`\n",
                         loaded.file(d.span.file).path(), type, file.path,
                         relative_to(file.path, from));
    }
  }
  return out;
}

}  // namespace bylaw::cli
