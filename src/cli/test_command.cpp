// bylaw test [PATH ...]: runs policy test files (*.test, found under folders) and reports every
// failure with a diff and the traces of the decisions that differ. Exit 1 on any failure.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "args.hpp"
#include "bylaw/author/policy_test.hpp"
#include "bylaw/check/checker.hpp"
#include "commands.hpp"
#include "files.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kTestUsage =
    "usage: bylaw test [PATH ...] [--coverage] [--coverage-json FILE]\n"
    "Runs the policy tests in each file, and in every *.test file under each folder (default:\n"
    "policies). Prints each failure with what was expected and what was made, and the traces of\n"
    "the decisions that differ; ends with `N passed, M failed`. Exits 1 on any failure.\n"
    "--coverage prints, for each pack, every clause of every rule (where, exclude, each side of\n"
    "each or, when, each action and eligibility branch) with how often the tests exercised it;\n"
    "--coverage-json writes the same as JSON. The format of test files is in docs/testing.md.\n";

}  // namespace

int test_command(const std::vector<std::string>& argv) {
  Args args(argv, {"coverage-json"}, {"help", "coverage"});
  if (args.flag("help")) {
    std::fputs(kTestUsage, stdout);
    return kExitOk;
  }
  if (!args.ok()) {
    fmt::print(stderr, "bylaw test: {}\n{}", args.error(), kTestUsage);
    return kExitFailure;
  }
  std::vector<std::string> paths = args.positional();
  if (paths.empty()) paths.push_back("policies");
  std::string error;
  std::optional<std::vector<std::string>> files = find_files(paths, {".test"}, error);
  if (!files) {
    fmt::print(stderr, "bylaw test: {}\n", error);
    return kExitFailure;
  }
  if (files->empty()) {
    fmt::print(stderr, "bylaw test: no *.test files under {}\n", fmt::join(paths, ", "));
    return kExitFailure;
  }

  std::size_t passed = 0;
  std::size_t failed = 0;
  std::map<std::string, std::optional<check::Policy>> packs;  // loaded once per path
  std::map<std::string, runtime::Coverage> coverage;          // per pack, over all its tests
  bool measure = args.flag("coverage") || args.value("coverage-json").has_value();
  for (const auto& path : *files) {
    std::optional<std::string> text = read_file(path);
    std::vector<std::string> errors;
    if (!text) errors.push_back(fmt::format("{}: cannot be read", path));
    std::optional<author::TestFile> file;
    if (text) file = author::parse_test_file(path, *text, errors);
    if (!file) {
      for (const auto& e : errors) fmt::print("{}\n", e);
      ++failed;
      continue;
    }
    std::string pack =
        (std::filesystem::path(path).parent_path() / file->policy).lexically_normal().string();
    auto [it, fresh] = packs.try_emplace(pack);
    if (fresh) {
      check::LoadResult loaded = check::load_policy(pack);
      if (!loaded.policy) {
        std::fputs(loaded.render().c_str(), stdout);
        fmt::print("{}: the policy {} does not load\n", path, pack);
      } else {
        it->second = std::move(*loaded.policy);
        if (measure) coverage.try_emplace(pack, *it->second);
      }
    }
    if (!it->second) {
      failed += file->cases.size();
      continue;
    }
    for (const auto& test : file->cases) {
      auto counted = coverage.find(pack);
      author::CaseResult result = author::run_case(
          *it->second, *file, test, counted == coverage.end() ? nullptr : &counted->second);
      if (result.passed) {
        ++passed;
        continue;
      }
      ++failed;
      fmt::print("FAIL {}:{}: {}\n{}", path, test.line, test.name, result.report);
    }
  }
  std::vector<std::string> reports;
  for (const auto& [pack, counts] : coverage) {
    auto report = author::coverage_report(*packs[pack], counts);
    if (args.flag("coverage"))
      std::fputs(author::render_coverage_text(pack, report).c_str(), stdout);
    reports.push_back(author::render_coverage_json(pack, report));
  }
  if (auto path = args.value("coverage-json")) {
    std::ofstream out(*path, std::ios::trunc);
    out << "[" << fmt::format("{}", fmt::join(reports, ",\n")) << "]\n";
    if (!out) {
      fmt::print(stderr, "bylaw test: cannot write '{}'\n", *path);
      return kExitFailure;
    }
  }
  fmt::print("{} passed, {} failed\n", passed, failed);
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace bylaw::cli
