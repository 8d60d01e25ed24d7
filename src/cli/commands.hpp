// The `bylaw` subcommands. Each registers itself and its options on the `bylaw` app (CLI11);
// when it is the one given, `chosen` is set to what runs it, returning the exit code:
// 0 success, 1 a failure other than the policy (usage errors too), 2 a policy that does not load.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace bylaw::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadPolicy = 2;

using Run = std::function<int()>;

void add_check_command(CLI::App& bylaw, Run& chosen);
void add_run_command(CLI::App& bylaw, Run& chosen);
void add_explain_command(CLI::App& bylaw, Run& chosen);
void add_audit_command(CLI::App& bylaw, Run& chosen);
void add_audit_query_command(CLI::App& audit, Run& chosen);
void add_audit_serve_command(CLI::App& audit, Run& chosen);
void add_test_command(CLI::App& bylaw, Run& chosen);
void add_backtest_command(CLI::App& bylaw, Run& chosen);
void add_fmt_command(CLI::App& bylaw, Run& chosen);
void add_serve_command(CLI::App& bylaw, Run& chosen);
void add_plan_command(CLI::App& bylaw, Run& chosen);

// The subcommand's parsed options, kept alive by what runs it: `chosen` is set to run(options)
// once the command line has been parsed and this subcommand was given.
template <class Options>
void run_when_chosen(CLI::App* command, Run& chosen, std::shared_ptr<Options> options,
                     int (*run)(const Options&)) {
  command->callback([&chosen, options, run] { chosen = [options, run] { return run(*options); }; });
}

}  // namespace bylaw::cli
