// bylaw fmt [--check] [--diff] [PATH ...]: the canonical layout of rule and policy files.
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "bylaw/author/format.hpp"
#include "bylaw/io/disk_files.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"

namespace bylaw::cli {

namespace {

struct FmtOptions {
  std::vector<std::string> paths{"rules", "policies"};
  bool check = false;
  bool diff = false;
};

// Formats one file: rewrites it, or (--check, --diff) says how it would change. Returns whether
// it needs (or needed) formatting; `failed` is set when it cannot be read, formatted or written.
bool format_file(const std::string& path, const FmtOptions& options, bool& failed) {
  std::string error;
  std::optional<std::string> text = io::read_text_file(path, error);
  if (!text) {
    fmt::print(stderr, "bylaw fmt: cannot read '{}': {}\n", path, error);
    failed = true;
    return false;
  }
  std::optional<std::string> formatted = author::format_source(*text, error);
  if (!formatted) {
    fmt::print(stderr, "{}: {}\n", path, error);
    failed = true;
    return false;
  }
  if (*formatted == *text) return false;
  if (options.diff) std::fputs(author::unified_diff(path, *text, *formatted).c_str(), stdout);
  if (options.check) fmt::print("{}\n", path);
  if (options.check || options.diff) return true;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << *formatted;
  if (!out) {
    fmt::print(stderr, "bylaw fmt: cannot write '{}'\n", path);
    failed = true;
  }
  return true;
}

int run_fmt(const FmtOptions& options) {
  std::string error;
  std::optional<std::vector<std::string>> files =
      find_files(options.paths, {".rules", ".policy"}, error);
  if (!files) {
    fmt::print(stderr, "bylaw fmt: {}\n", error);
    return kExitFailure;
  }
  bool failed = false;
  std::size_t changed = 0;
  for (const auto& path : *files) changed += format_file(path, options, failed) ? 1 : 0;
  if (failed) return kExitFailure;
  return options.check && changed > 0 ? kExitFailure : kExitOk;
}

}  // namespace

void add_fmt_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<FmtOptions>();
  CLI::App* fmt_app =
      bylaw.add_subcommand("fmt", "Rewrite rule and policy files in the canonical layout");
  fmt_app->footer(
      "Only blanks change; comments stay in place. Folders are searched for *.rules and\n"
      "*.policy files.");
  fmt_app->add_option("paths", options->paths, "Files and folders (default: rules policies)")
      ->type_name("PATH");
  add_switch(fmt_app, "--check", options->check,
             "Change nothing: list the files that would change, exit 1 if there are any");
  add_switch(fmt_app, "--diff", options->diff, "Change nothing: print how each file would change");
  run_when_chosen(fmt_app, chosen, options, run_fmt);
}

}  // namespace bylaw::cli
