// bylaw backtest --policy NEW --baseline OLD --input HISTORY [--format text|json]
//                [--examples N] [--subjects N] [--output FILE] [--max-lateness DURATION]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "bylaw/author/backtest.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"

namespace bylaw::cli {

namespace {

struct BacktestCommandOptions {
  std::string policy;
  std::string baseline;
  std::string input;
  std::string format;
  std::size_t examples = 3;
  std::size_t subjects = 20;
  std::string output;
  Duration max_lateness;
};

// A progress bar on standard error, for a person watching: never in a pipe or a log.
author::BacktestOptions::Progress progress_bar(const std::string& input_path) {
  if (!isatty(STDERR_FILENO)) return nullptr;
  std::error_code ec;
  auto total = static_cast<std::uint64_t>(std::filesystem::file_size(input_path, ec));
  auto started = std::chrono::steady_clock::now();
  return [total, started](std::uint64_t lines, std::uint64_t bytes) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    double rate = seconds > 0 ? static_cast<double>(lines) / seconds : 0;
    double done = total ? static_cast<double>(bytes) / static_cast<double>(total) : 0;
    double left = done > 0 ? seconds * (1 - done) / done : 0;
    fmt::print(stderr, "\rbacktest: {} events, {:.0f}%, {:.0f} events/s, {:.0f} s left   ", lines,
               done * 100, rate, left);
    if (bytes >= total) fmt::print(stderr, "\n");
  };
}

int run_backtest(const BacktestCommandOptions& options) {
  std::optional<check::Policy> candidate = load_pack(options.policy, stderr);
  if (!candidate) return kExitBadPolicy;
  std::optional<check::Policy> baseline = load_pack(options.baseline, stderr);
  if (!baseline) return kExitBadPolicy;
  std::ifstream input(options.input, std::ios::binary);
  if (!input) {
    fmt::print(stderr, "bylaw backtest: cannot read input '{}'\n", options.input);
    return kExitFailure;
  }
  author::BacktestOptions backtest;
  backtest.examples = options.examples;
  backtest.run.max_lateness = options.max_lateness;
  backtest.progress = progress_bar(options.input);
  author::BacktestReport report = author::backtest(*candidate, *baseline, input, backtest);
  std::string rendered = options.format == "json"
                             ? author::render_backtest_json(report) + "\n"
                             : author::render_backtest_text(report, options.subjects);
  if (options.output.empty()) {
    std::fputs(rendered.c_str(), stdout);
    return kExitOk;
  }
  std::ofstream out(options.output, std::ios::trunc);
  out << rendered;
  if (!out) {
    fmt::print(stderr, "bylaw backtest: cannot write '{}'\n", options.output);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_backtest_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<BacktestCommandOptions>();
  CLI::App* backtest =
      bylaw.add_subcommand("backtest", "What a policy change would do to an event history");
  backtest->footer(
      "Runs both packs over the same history in one pass and reports the decisions added,\n"
      "removed and changed, by rule, by decision and by subject, with the first examples of each\n"
      "per rule and their traces. A progress bar goes to standard error when it is a terminal.");
  backtest->add_option("--policy", options->policy, "The new pack")->required()->type_name("NEW");
  backtest->add_option("--baseline", options->baseline, "The pack it would replace")
      ->required()
      ->type_name("OLD");
  backtest->add_option("--input", options->input, "The event history (JSON Lines)")
      ->required()
      ->type_name("HISTORY");
  add_choice(backtest, "--format", options->format, {"text", "json"}, "Report format");
  add_count(backtest, "--examples", options->examples, "Examples shown per rule");
  add_count(backtest, "--subjects", options->subjects, "Subjects listed in the text report");
  backtest->add_option("--output", options->output, "Write here instead of standard output")
      ->type_name("FILE");
  add_duration(backtest, "--max-lateness", options->max_lateness,
               "How late an event may come and still be evaluated (default 0s)", "0s, 10m, 1h");
  run_when_chosen(backtest, chosen, options, run_backtest);
}

}  // namespace bylaw::cli
