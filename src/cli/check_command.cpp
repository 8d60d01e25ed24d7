// bylaw check --policy FILE: parse and type-check a pack; print every diagnostic.
#include <cstdio>

#include <fmt/format.h>

#include "args.hpp"
#include "bylaw/check/checker.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kCheckUsage =
    "usage: bylaw check --policy FILE\n"
    "Parses the policy pack and every file it uses, resolves names and type-checks every rule\n"
    "against the event schema. Prints every error and warning as file:line:col with the\n"
    "source line; exits 0 when the policy loads, 2 when it does not.\n";

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

int check_command(const std::vector<std::string>& argv) {
  Args args(argv, {"policy"}, {"help"});
  if (args.flag("help")) {
    std::fputs(kCheckUsage, stdout);
    return kExitOk;
  }
  if (!args.ok() || !args.value("policy") || !args.positional().empty()) {
    fmt::print(stderr, "bylaw check: {}\n{}",
               !args.ok() ? args.error()
               : !args.positional().empty()
                   ? fmt::format("unexpected argument '{}'", args.positional().front())
                   : std::string("--policy FILE is required"),
               kCheckUsage);
    return kExitFailure;
  }
  std::string pack = *args.value("policy");
  check::LoadResult result = check::load_policy(pack);
  std::string rendered = result.render();
  std::fputs(rendered.c_str(), stderr);
  std::size_t errors = result.diagnostics.error_count() + (result.fatal.empty() ? 0 : 1);
  std::size_t warnings = result.diagnostics.warning_count();
  if (!result.policy) {
    fmt::print(stderr, "{}: {}, {}: the policy does not load\n", pack, plural(errors, "error"),
               plural(warnings, "warning"));
    return kExitBadPolicy;
  }
  const check::Policy& policy = *result.policy;
  std::size_t event_types = 0;
  for (const auto& type : policy.schema.types) event_types += type.timer ? 0 : 1;
  fmt::print("{}: policy {}@{} checks: {}, {}, {} from {}, {} (sha256 {})\n", pack, policy.name,
             policy.version, plural(event_types, "event type"),
             plural(policy.params.size(), "parameter"), plural(policy.rules.size(), "rule"),
             plural(policy.sources->size(), "file"), plural(warnings, "warning"), policy.hash);
  return kExitOk;
}

}  // namespace bylaw::cli
