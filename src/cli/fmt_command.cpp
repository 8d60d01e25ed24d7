// bylaw fmt [--check] [--diff] [PATH ...]: the canonical layout of rule and policy files.
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "args.hpp"
#include "bylaw/author/format.hpp"
#include "commands.hpp"
#include "files.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kFmtUsage =
    "usage: bylaw fmt [--check] [--diff] [PATH ...]\n"
    "Rewrites rule and policy files (*.rules, *.policy; folders are searched; default: rules\n"
    "and policies) in the canonical layout. Only blanks change; comments stay in place.\n"
    "--check changes nothing: it lists the files that would change and exits 1 if there are\n"
    "any. --diff changes nothing: it prints how each file would change.\n";

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
  std::string error;
  std::optional<std::vector<std::string>> files = find_files(paths, {".rules", ".policy"}, error);
  if (!files) {
    fmt::print(stderr, "bylaw fmt: {}\n", error);
    return kExitFailure;
  }
  bool check = args.flag("check");
  bool diff = args.flag("diff");
  bool failed = false;
  std::size_t changed = 0;
  for (const auto& path : *files) {
    std::optional<std::string> text = read_file(path);
    if (!text) {
      fmt::print(stderr, "bylaw fmt: cannot read '{}'\n", path);
      failed = true;
      continue;
    }
    std::optional<std::string> formatted = author::format_source(*text, error);
    if (!formatted) {
      fmt::print(stderr, "{}: {}\n", path, error);
      failed = true;
      continue;
    }
    if (*formatted == *text) continue;
    ++changed;
    if (diff) std::fputs(author::unified_diff(path, *text, *formatted).c_str(), stdout);
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
