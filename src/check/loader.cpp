#include "loader.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "bylaw/syntax/parser.hpp"

namespace bylaw::check {

namespace {

class Loader {
 public:
  Loader(const FileReader& reader, SourceSet& sources, Diagnostics& diagnostics)
      : reader_(reader), sources_(sources), diagnostics_(diagnostics) {}

  // `from` is the `use` that named this file; absent for the pack.
  bool visit(const std::string& path, const Span* from, std::string& fatal) {
    std::string key = std::filesystem::path(path).lexically_normal().generic_string();
    // A file is known by where it really is: through a symbolic link that loops (`d -> .`),
    // d/x.rules, d/d/x.rules, ... are all one file, and must not be loaded without end.
    std::string identity = reader_.identity(key);
    if (auto on_stack = std::find(stack_.begin(), stack_.end(), identity);
        on_stack != stack_.end()) {
      std::string chain;
      for (auto it = on_stack; it != stack_.end(); ++it) {
        chain += paths_[static_cast<std::size_t>(it - stack_.begin())] + " uses ";
      }
      diagnostics_.error(*from, fmt::format("cycle of use: {}{}", chain, key),
                         "files that use each other without a cycle");
      return true;
    }
    if (loaded_.count(identity)) return true;
    if (from && stack_.size() >= kMaxUseDepth) {
      // Paths can grow without repeating (a/x.rules using a/x.rules relative to itself, when a
      // reader resolves them all): a bound on the chain ends it.
      diagnostics_.error(*from, fmt::format("use chain deeper than {} files", kMaxUseDepth),
                         "files that use each other without a cycle");
      return true;
    }
    if (from && files_.size() >= kMaxFiles) {
      // And a bound on the files: two such uses per file would otherwise make 2^64 of them.
      diagnostics_.error(*from, fmt::format("more than {} files in one policy", kMaxFiles),
                         "fewer rule files");
      return true;
    }
    std::string error;
    std::optional<std::string> text = reader_.read(key, error);
    if (!text) {
      if (!from) {
        fatal = fmt::format("cannot read policy '{}': {}", key, error);
        return false;
      }
      diagnostics_.error(*from, fmt::format("cannot read '{}': {}", key, error),
                         "the path of a rule file, relative to the file that uses it");
      return true;
    }
    FileId id = sources_.add(key, std::move(*text));
    loaded_[identity] = id;
    std::size_t index = files_.size();
    files_.push_back(syntax::parse(sources_, id, diagnostics_));
    stack_.push_back(identity);
    paths_.push_back(key);
    // Copy the uses out: visiting appends to files_, which may move the file.
    std::vector<syntax::UseDecl> uses = files_[index].uses;
    for (const auto& policy : files_[index].policies) {
      uses.insert(uses.end(), policy.uses.begin(), policy.uses.end());
    }
    std::filesystem::path directory = std::filesystem::path(key).parent_path();
    for (const auto& use : uses) {
      for (const auto& target : use.paths) {
        visit((directory / target.value).generic_string(), &target.span, fatal);
      }
    }
    stack_.pop_back();
    paths_.pop_back();
    return true;
  }

  std::vector<syntax::File> take_files() { return std::move(files_); }

 private:
  const FileReader& reader_;
  SourceSet& sources_;
  Diagnostics& diagnostics_;
  std::map<std::string, FileId> loaded_;
  static constexpr std::size_t kMaxUseDepth = 64;
  static constexpr std::size_t kMaxFiles = 1000;
  std::vector<std::string> stack_;  // identities of the files being visited
  std::vector<std::string> paths_;  // the same, as they were named
  std::vector<syntax::File> files_;
};

}  // namespace

std::optional<LoadedFiles> load_files(const std::string& pack_path, const FileReader& reader,
                                      SourceSet& sources, Diagnostics& diagnostics,
                                      std::string& fatal) {
  Loader loader(reader, sources, diagnostics);
  if (!loader.visit(pack_path, nullptr, fatal)) return std::nullopt;
  return LoadedFiles{loader.take_files()};
}

}  // namespace bylaw::check
