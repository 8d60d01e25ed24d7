// bylaw audit verify --store FILE: walks the store's hash chain.
#include <cstdio>

#include <fmt/format.h>

#include "args.hpp"
#include "bylaw/io/audit_store.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kAuditUsage =
    "usage: bylaw audit verify --store FILE\n"
    "Walks the audit store's hash chain; exits 0 when every record is intact, 1 naming the first\n"
    "record that was changed, removed or reordered.\n";

}  // namespace

int audit_command(const std::vector<std::string>& argv) {
  Args args(argv, {"store"}, {"help"});
  if (args.flag("help")) {
    std::fputs(kAuditUsage, stdout);
    return kExitOk;
  }
  if (!args.ok() || args.positional() != std::vector<std::string>{"verify"} ||
      !args.value("store")) {
    fmt::print(stderr, "bylaw audit: {}\n{}",
               args.ok() ? "expected: verify --store FILE" : args.error(), kAuditUsage);
    return kExitFailure;
  }
  std::string error;
  auto store = io::AuditStore::open(*args.value("store"), false, error);
  if (!store) {
    fmt::print(stderr, "bylaw audit: cannot open store '{}': {}\n", *args.value("store"), error);
    return kExitFailure;
  }
  io::VerifyReport report = store->verify();
  if (!report.intact) {
    fmt::print(stderr, "bylaw audit: {}: {}\n", *args.value("store"), report.problem);
    return kExitFailure;
  }
  fmt::print("{}: {} records, chain intact; last hash {}\n", *args.value("store"), report.records,
             report.last_hash);
  return kExitOk;
}

}  // namespace bylaw::cli
