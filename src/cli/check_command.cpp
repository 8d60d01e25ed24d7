// bylaw check --policy FILE: parse and type-check a pack; print every diagnostic.
#include <cstdio>

#include <fmt/format.h>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/disk_files.hpp"
#include "commands.hpp"
#include "pack_files.hpp"

namespace bylaw::cli {

namespace {

struct CheckOptions {
  std::string policy;
};

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

int run_check(const CheckOptions& options) {
  check::LoadResult result = io::load_policy_file(options.policy);
  std::fputs(result.render().c_str(), stderr);
  std::size_t errors = result.diagnostics.error_count() + (result.fatal.empty() ? 0 : 1);
  std::size_t warnings = result.diagnostics.warning_count();
  if (result.sources && result.sources->size() > 0) {  // none when the pack is unreadable
    std::string notes = pack_file_notes(unused_rule_files(*result.sources), result.diagnostics,
                                        *result.sources, warnings);
    std::fputs(notes.c_str(), stderr);
  }
  if (!result.policy) {
    fmt::print(stderr, "{}: {}, {}: the policy does not load\n", options.policy,
               plural(errors, "error"), plural(warnings, "warning"));
    return kExitBadPolicy;
  }
  const check::Policy& policy = *result.policy;
  std::size_t event_types = 0;
  for (const auto& type : policy.schema.types) event_types += type.raised() ? 0 : 1;
  fmt::print("{}: policy {}@{} checks: {}, {}, {} from {}, {} (sha256 {})\n", options.policy,
             policy.name, policy.version, plural(event_types, "event type"),
             plural(policy.params.size(), "parameter"), plural(policy.rules.size(), "rule"),
             plural(policy.sources->size(), "file"), plural(warnings, "warning"), policy.hash);
  return kExitOk;
}

}  // namespace

void add_check_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* check =
      bylaw.add_subcommand("check", "Parse and type-check a policy pack and every file it uses");
  check->footer(
      "Resolves names and type-checks every rule against the event schema. Prints every error\n"
      "and warning as file:line:col with the source line; exits 0 when the policy loads, 2 when\n"
      "it does not.");
  check->add_option("--policy", options->policy, "The policy pack (*.policy)")
      ->required()
      ->type_name("FILE");
  run_when_chosen(check, chosen, options, run_check);
}

}  // namespace bylaw::cli
