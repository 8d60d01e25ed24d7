// bylaw backtest --policy NEW --baseline OLD --input HISTORY [--format text|json]
//                [--examples N] [--subjects N] [--output FILE] [--max-lateness DURATION]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "args.hpp"
#include "bylaw/author/backtest.hpp"
#include "bylaw/check/checker.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kBacktestUsage =
    "usage: bylaw backtest --policy NEW --baseline OLD --input HISTORY [--format text|json]\n"
    "                      [--examples N] [--subjects N] [--output FILE] [--max-lateness D]\n"
    "Runs both policy packs over the same event history in one pass and reports what the change\n"
    "would do: decisions added, removed and changed, by rule, by decision and by subject, with\n"
    "the first --examples (3) of each per rule and their traces. A progress bar goes to\n"
    "standard error when it is a terminal.\n";

int usage_error(const std::string& message) {
  fmt::print(stderr, "bylaw backtest: {}\n{}", message, kBacktestUsage);
  return kExitFailure;
}

std::optional<std::size_t> count_option(const Args& args, const char* name, std::size_t fallback,
                                        std::string& error) {
  auto value = args.value(name);
  if (!value) return fallback;
  auto n = parse_count(*value);
  if (!n) {
    error = fmt::format("--{} '{}' is not a number", name, *value);
    return std::nullopt;
  }
  return static_cast<std::size_t>(*n);
}

}  // namespace

int backtest_command(const std::vector<std::string>& argv) {
  Args args(
      argv,
      {"policy", "baseline", "input", "format", "examples", "subjects", "output", "max-lateness"},
      {"help"});
  if (args.flag("help")) {
    std::fputs(kBacktestUsage, stdout);
    return kExitOk;
  }
  if (!args.ok()) return usage_error(args.error());
  for (const char* required : {"policy", "baseline", "input"}) {
    if (!args.value(required)) return usage_error(fmt::format("--{} is required", required));
  }
  std::string format = args.value("format").value_or("text");
  if (format != "text" && format != "json") {
    return usage_error(fmt::format("--format '{}': text or json", format));
  }
  std::string error;
  auto examples = count_option(args, "examples", 3, error);
  auto subjects = count_option(args, "subjects", 20, error);
  if (!error.empty()) return usage_error(error);
  author::BacktestOptions options;
  options.examples = *examples;
  if (auto lateness = args.value("max-lateness")) {
    auto parsed = parse_duration(*lateness);
    if (!parsed)
      return usage_error(fmt::format("--max-lateness '{}' is not a duration", *lateness));
    options.run.max_lateness = *parsed;
  }

  std::optional<check::Policy> packs[2];
  const char* which[2] = {"policy", "baseline"};
  for (int i = 0; i < 2; ++i) {
    check::LoadResult loaded = check::load_policy(*args.value(which[i]));
    std::fputs(loaded.render().c_str(), stderr);
    if (!loaded.policy) {
      fmt::print(stderr, "{}: the policy does not load\n", *args.value(which[i]));
      return kExitBadPolicy;
    }
    packs[i] = std::move(*loaded.policy);
  }

  std::string input_path = *args.value("input");
  std::ifstream input(input_path, std::ios::binary);
  if (!input) {
    fmt::print(stderr, "bylaw backtest: cannot read input '{}'\n", input_path);
    return kExitFailure;
  }
  // A progress bar only for a person watching: never in a pipe or a log.
  if (isatty(STDERR_FILENO)) {
    std::error_code ec;
    auto total = static_cast<std::uint64_t>(std::filesystem::file_size(input_path, ec));
    auto started = std::chrono::steady_clock::now();
    options.progress = [total, started](std::uint64_t lines, std::uint64_t bytes) {
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
  author::BacktestReport report = author::backtest(*packs[0], *packs[1], input, options);
  std::string rendered = format == "json" ? author::render_backtest_json(report) + "\n"
                                          : author::render_backtest_text(report, *subjects);
  if (auto path = args.value("output")) {
    std::ofstream out(*path, std::ios::trunc);
    out << rendered;
    if (!out) {
      fmt::print(stderr, "bylaw backtest: cannot write '{}'\n", *path);
      return kExitFailure;
    }
  } else {
    std::fputs(rendered.c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace bylaw::cli
