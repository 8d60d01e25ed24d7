// bylaw fmt [--check] [--diff] [PATH ...]: the canonical layout of rule and policy files.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "args.hpp"
#include "bylaw/author/format.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kFmtUsage =
    "usage: bylaw fmt [--check] [--diff] [PATH ...]\n"
    "Rewrites rule and policy files (*.rules, *.policy; folders are searched; default: rules\n"
    "and policies) in the canonical layout. Only blanks change; comments stay in place.\n"
    "--check changes nothing: it lists the files that would change and exits 1 if there are\n"
    "any. --diff changes nothing: it prints how each file would change.\n";

bool is_source(const std::filesystem::path& path) {
  return path.extension() == ".rules" || path.extension() == ".policy";
}

}  // namespace

int fmt_command(const std::vector<std::string>& argv) {
  Args args(argv, {}, {"help", "check", "diff"});
  if (args.flag("help")) {
    std::fputs(kFmtUsage, stdout);
    return kExitOk;
  }
  if (!args.ok()) {
    fmt::print(stderr, "bylaw fmt: {}\n{}", args.error(), kFmtUsage);
    return kExitFailure;
  }
  std::vector<std::string> paths = args.positional();
  if (paths.empty()) paths = {"rules", "policies"};
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && is_source(entry.path()))
          found.push_back(entry.path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::is_regular_file(path, ec)) {
      files.push_back(path);
    } else {
      fmt::print(stderr, "bylaw fmt: no file or folder '{}'\n", path);
      return kExitFailure;
    }
  }
  bool check = args.flag("check");
  bool diff = args.flag("diff");
  bool failed = false;
  std::size_t changed = 0;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    std::optional<std::string> formatted = author::format_source(text.str(), error);
    if (!formatted) {
      fmt::print(stderr, "{}: {}\n", path, error);
      failed = true;
      continue;
    }
    if (*formatted == text.str()) continue;
    ++changed;
    if (diff) std::fputs(author::unified_diff(path, text.str(), *formatted).c_str(), stdout);
    if (check) fmt::print("{}\n", path);
    if (check || diff) continue;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << *formatted;
    if (!out) {
      fmt::print(stderr, "bylaw fmt: cannot write '{}'\n", path);
      failed = true;
    }
  }
  if (failed) return kExitFailure;
  return check && changed > 0 ? kExitFailure : kExitOk;
}

}  // namespace bylaw::cli
