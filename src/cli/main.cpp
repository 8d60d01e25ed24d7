// The `bylaw` command: parses the command line (CLI11) and runs the subcommand it names.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"

namespace {

constexpr const char* kExitCodes =
    "exit codes: 0 success, 1 any other failure (usage errors too), 2 a policy that does not load";

// "bylaw run", "bylaw audit verify": the subcommands given, for messages.
std::string command_path(const CLI::App* app) {
  std::string path = app->get_name();
  for (auto chosen = app->get_subcommands(); !chosen.empty();
       chosen = chosen.front()->get_subcommands()) {
    path += " " + chosen.front()->get_name();
  }
  return path;
}

// A usage error: what was wrong, then the usage of the command it was given to.
std::string usage_error(const CLI::App* app, const CLI::Error& error) {
  return fmt::format("{}: {}\n\n{}", command_path(app), error.what(), app->help());
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to standard error, never into the decision stream on standard output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("bylaw"));
  spdlog::set_pattern("bylaw: %l: %v");

  CLI::App app{"bylaw: a rules engine for marketplace policy enforcement", "bylaw"};
  app.failure_message(usage_error);
  app.require_subcommand(1);
  // An option given twice is an error, not a silent choice of one of them (set before the
  // subcommands are added: they take their defaults from here).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  app.set_version_flag("--version", "bylaw " BYLAW_VERSION);
  app.footer(kExitCodes);
  app.get_formatter()->column_width(36);
  bylaw::cli::Run chosen;
  bylaw::cli::add_check_command(app, chosen);
  bylaw::cli::add_run_command(app, chosen);
  bylaw::cli::add_serve_command(app, chosen);
  bylaw::cli::add_explain_command(app, chosen);
  bylaw::cli::add_audit_command(app, chosen);
  bylaw::cli::add_test_command(app, chosen);
  bylaw::cli::add_backtest_command(app, chosen);
  bylaw::cli::add_fmt_command(app, chosen);
  bylaw::cli::add_plan_command(app, chosen);

  // `bylaw help` as well as `bylaw --help`.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "help") args.front() = "--help";
  auto named = [&args](const CLI::App* command) { return command->get_name() == args.front(); };
  if (!args.empty() && args.front()[0] != '-' && app.get_subcommands(named).empty()) {
    fmt::print(stderr, "bylaw: unknown command '{}'\n\n{}", args.front(), app.help());
    return bylaw::cli::kExitFailure;
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == static_cast<int>(CLI::ExitCodes::Success) ? bylaw::cli::kExitOk
                                                             : bylaw::cli::kExitFailure;
  }
  try {
    return chosen();
  } catch (const std::exception& e) {
    // What a command did not expect (a store that breaks while read): said, not a crash.
    spdlog::error("{}", e.what());
    return bylaw::cli::kExitFailure;
  }
}
