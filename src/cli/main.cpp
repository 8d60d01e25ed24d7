// The `bylaw` command: dispatches to a subcommand.
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: bylaw <command> [options]\n"
    "\n"
    "commands:\n"
    "  check --policy FILE    parse and type-check a policy pack and every file it uses\n"
    "  run --policy FILE      evaluate the policy over a JSON Lines event stream\n"
    "  explain --store FILE ID   print one decision's explanation (or --subject ACCOUNT)\n"
    "  audit verify --store FILE check the audit store's hash chain\n"
    "  test [PATH ...]        run policy tests (*.test files; default: under policies)\n"
    "  backtest --policy NEW --baseline OLD --input HISTORY   what a policy change would do\n"
    "  fmt [--check] [--diff] [PATH ...]   the canonical layout of rule and policy files\n"
    "\n"
    "exit codes: 0 success, 1 other failure, 2 a policy that does not load\n";

}  // namespace

int main(int argc, char** argv) {
  // Logs go to standard error, never into the decision stream on standard output.
  spdlog::set_default_logger(spdlog::stderr_color_st("bylaw"));
  spdlog::set_pattern("bylaw: %l: %v");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? bylaw::cli::kExitFailure : bylaw::cli::kExitOk;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "check") return bylaw::cli::check_command(args);
  if (command == "run") return bylaw::cli::run_command(args);
  if (command == "explain") return bylaw::cli::explain_command(args);
  if (command == "audit") return bylaw::cli::audit_command(args);
  if (command == "test") return bylaw::cli::test_command(args);
  if (command == "backtest") return bylaw::cli::backtest_command(args);
  if (command == "fmt") return bylaw::cli::fmt_command(args);
  fmt::print(stderr, "bylaw: unknown command '{}'\n\n{}", command, kUsage);
  return bylaw::cli::kExitFailure;
}
