// bylaw test [PATH ...]: runs policy test files (*.test, found under folders) and reports every
// failure with a diff and the traces of the decisions that differ. Exit 1 on any failure.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bylaw/author/policy_test.hpp"
#include "bylaw/io/disk_files.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"

namespace bylaw::cli {

namespace {

struct TestOptions {
  std::vector<std::string> paths{"policies"};
  bool coverage = false;
  std::string coverage_json;
};

// What the run of every test file adds up to.
struct Tally {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::map<std::string, std::optional<check::Policy>> packs;  // loaded once per path
  std::map<std::string, author::Coverage> coverage;           // per pack, over all its tests
};

// The pack a test file names, loaded the first time; null when it does not load.
const check::Policy* load_once(const std::string& pack, const std::string& path, Tally& tally,
                               bool measure) {
  auto [it, fresh] = tally.packs.try_emplace(pack);
  if (fresh) {
    // A pack that loads says nothing here (its warnings are `bylaw check`'s); one that does not
    // shows why, under the test file that names it.
    check::LoadResult loaded = io::load_policy_file(pack);
    if (!loaded.policy) {
      std::fputs(loaded.render().c_str(), stdout);
      fmt::print("{}: the policy {} does not load\n", path, pack);
    } else {
      it->second = std::move(*loaded.policy);
      if (measure) tally.coverage.try_emplace(pack, *it->second);
    }
  }
  return it->second ? &*it->second : nullptr;
}

// Every case of `file` against one pack.
void run_against(const std::string& pack, const std::string& against, const std::string& path,
                 const author::TestFile& file, Tally& tally, bool measure) {
  const check::Policy* policy = load_once(pack, path, tally, measure);
  if (!policy) {
    tally.failed += file.cases.size();
    return;
  }
  auto counted = tally.coverage.find(pack);
  for (const auto& test : file.cases) {
    author::CaseResult result = author::run_case(
        *policy, file, test, counted == tally.coverage.end() ? nullptr : &counted->second);
    if (result.passed) {
      ++tally.passed;
      continue;
    }
    ++tally.failed;
    fmt::print("FAIL {}:{}: {}{}\n{}", path, test.line, test.name, against, result.report);
  }
}

void run_file(const std::string& path, Tally& tally, bool measure) {
  std::string error;
  std::optional<std::string> text = io::read_text_file(path, error);
  std::vector<std::string> errors;
  if (!text) errors.push_back(fmt::format("{}: cannot be read: {}", path, error));
  std::optional<author::TestFile> file;
  if (text) file = author::parse_test_file(path, *text, errors);
  if (!file) {
    for (const auto& e : errors) fmt::print("{}\n", e);
    ++tally.failed;
    return;
  }
  for (const auto& named : file->policies) {
    std::string pack =
        (std::filesystem::path(path).parent_path() / named).lexically_normal().string();
    // With several packs, a failure says which one it is for.
    std::string against = file->policies.size() > 1 ? fmt::format(" (with {})", pack) : "";
    run_against(pack, against, path, *file, tally, measure);
  }
}

// Prints (--coverage) and writes (--coverage-json) what the tests exercised; false when the JSON
// cannot be written.
bool report_coverage(const TestOptions& options, Tally& tally) {
  std::vector<std::string> reports;
  for (const auto& [pack, counts] : tally.coverage) {
    auto report = author::coverage_report(*tally.packs[pack], counts);
    if (options.coverage) std::fputs(author::render_coverage_text(pack, report).c_str(), stdout);
    reports.push_back(author::render_coverage_json(pack, report));
  }
  if (options.coverage_json.empty()) return true;
  std::ofstream out(options.coverage_json, std::ios::trunc);
  out << "[" << fmt::format("{}", fmt::join(reports, ",\n")) << "]\n";
  if (!out) fmt::print(stderr, "bylaw test: cannot write '{}'\n", options.coverage_json);
  return static_cast<bool>(out);
}

int run_tests(const TestOptions& options) {
  std::string error;
  std::optional<std::vector<std::string>> files = find_files(options.paths, {".test"}, error);
  if (!files) {
    fmt::print(stderr, "bylaw test: {}\n", error);
    return kExitFailure;
  }
  if (files->empty()) {
    fmt::print(stderr, "bylaw test: no *.test files under {}\n", fmt::join(options.paths, ", "));
    return kExitFailure;
  }
  Tally tally;
  bool measure = options.coverage || !options.coverage_json.empty();
  for (const auto& path : *files) run_file(path, tally, measure);
  if (!report_coverage(options, tally)) return kExitFailure;
  fmt::print("{} passed, {} failed\n", tally.passed, tally.failed);
  return tally.failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void add_test_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<TestOptions>();
  CLI::App* test = bylaw.add_subcommand("test", "Run policy tests (*.test files)");
  test->footer(
      "Runs the tests in each file, and in every *.test file under each folder. Prints each\n"
      "failure with what was expected and what was made, and the traces of the decisions that\n"
      "differ; ends with `N passed, M failed`; exits 1 on any failure. The format of test files\n"
      "is in docs/testing.md.");
  test->add_option("paths", options->paths, "Test files and folders (default: policies)")
      ->type_name("PATH");
  add_switch(test, "--coverage", options->coverage,
             "Print every clause of every rule (where, exclude, each side of each or, when, "
             "each action and eligibility branch) with how often the tests exercised it");
  test->add_option("--coverage-json", options->coverage_json, "Write the same as JSON")
      ->type_name("FILE");
  run_when_chosen(test, chosen, options, run_tests);
}

}  // namespace bylaw::cli
