// The `bylaw` subcommands. Each takes the arguments after its name and returns the exit code:
// 0 success, 1 a failure other than the policy, 2 a policy that does not load.
#pragma once

#include <string>
#include <vector>

namespace bylaw::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadPolicy = 2;

int check_command(const std::vector<std::string>& args);
int run_command(const std::vector<std::string>& args);
int explain_command(const std::vector<std::string>& args);
int audit_command(const std::vector<std::string>& args);
int test_command(const std::vector<std::string>& args);
int backtest_command(const std::vector<std::string>& args);
int fmt_command(const std::vector<std::string>& args);

}  // namespace bylaw::cli
