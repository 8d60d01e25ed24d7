// bylaw audit verify --store FILE: walks the store's hash chain.
#include <cstdio>

#include <fmt/format.h>

#include "bylaw/io/audit_store.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

struct VerifyOptions {
  std::string store;
};

int run_verify(const VerifyOptions& options) {
  std::string error;
  auto store = io::AuditStore::open(options.store, false, error);
  if (!store) {
    fmt::print(stderr, "bylaw audit: cannot open store '{}': {}\n", options.store, error);
    return kExitFailure;
  }
  io::VerifyReport report = store->verify();
  if (!report.intact) {
    fmt::print(stderr, "bylaw audit: {}: {}\n", options.store, report.problem);
    return kExitFailure;
  }
  fmt::print("{}: {} records, chain intact; last hash {}\n", options.store, report.records,
             report.last_hash);
  return kExitOk;
}

}  // namespace

void add_audit_command(CLI::App& bylaw, Run& chosen) {
  CLI::App* audit = bylaw.add_subcommand("audit", "Check the audit store");
  audit->require_subcommand(1);
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* verify = audit->add_subcommand("verify", "Check the audit store's hash chain");
  verify->footer(
      "Exits 0 when every record is intact, 1 naming the first record that was changed, removed\n"
      "or reordered.");
  verify->add_option("--store", options->store, "The audit store (SQLite)")
      ->required()
      ->type_name("FILE");
  run_when_chosen(verify, chosen, options, run_verify);
}

}  // namespace bylaw::cli
