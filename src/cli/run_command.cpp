// bylaw run --policy FILE [--input FILE|-] [--output FILE|-] [--rejects FILE]
//           [--max-lateness DURATION] [--summary-json FILE]
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "args.hpp"
#include "bylaw/check/checker.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kRunUsage =
    "usage: bylaw run --policy FILE [--input FILE|-] [--output FILE|-] [--rejects FILE]\n"
    "                 [--max-lateness DURATION] [--summary-json FILE] [--store FILE]\n"
    "Evaluates the policy over a CloudEvents JSON Lines stream (standard input by default) and\n"
    "writes decisions as JSON Lines (standard output by default). Rejected lines go to --rejects,\n"
    "or to the log on standard error. A summary ends the run on standard error. With --store,\n"
    "every decision, its trace and the policy texts also go to the audit store (SQLite).\n";

int usage_error(const std::string& message) {
  fmt::print(stderr, "bylaw run: {}\n{}", message, kRunUsage);
  return kExitFailure;
}

}  // namespace

int run_command(const std::vector<std::string>& argv) {
  Args args(argv, {"policy", "input", "output", "rejects", "max-lateness", "summary-json", "store"},
            {"help"});
  if (args.flag("help")) {
    std::fputs(kRunUsage, stdout);
    return kExitOk;
  }
  if (!args.ok()) return usage_error(args.error());
  if (!args.positional().empty()) {
    return usage_error(fmt::format("unexpected argument '{}'", args.positional().front()));
  }
  if (!args.value("policy")) return usage_error("--policy FILE is required");
  io::RunOptions options;
  options.process_exits_after = true;  // main returns right after the run
  if (auto lateness = args.value("max-lateness")) {
    auto parsed = parse_duration(*lateness);
    if (!parsed) {
      return usage_error(
          fmt::format("--max-lateness '{}' is not a duration (e.g. 0s, 10m, 1h)", *lateness));
    }
    options.max_lateness = *parsed;
  }

  check::LoadResult loaded = check::load_policy(*args.value("policy"));
  std::fputs(loaded.render().c_str(), stderr);
  if (!loaded.policy) {
    fmt::print(stderr, "{}: the policy does not load\n", *args.value("policy"));
    return kExitBadPolicy;
  }

  std::ifstream input_file;
  std::istream* input = &std::cin;
  if (auto path = args.value("input"); path && *path != "-") {
    input_file.open(*path, std::ios::binary);
    if (!input_file) {
      fmt::print(stderr, "bylaw run: cannot read input '{}'\n", *path);
      return kExitFailure;
    }
    input = &input_file;
  }
  std::ofstream output_file;
  std::ostream* output = &std::cout;
  std::string output_name = "standard output";
  if (auto path = args.value("output"); path && *path != "-") {
    output_file.open(*path, std::ios::binary | std::ios::trunc);
    if (!output_file) {
      fmt::print(stderr, "bylaw run: cannot write output '{}'\n", *path);
      return kExitFailure;
    }
    output = &output_file;
    output_name = *path;
  }
  std::ofstream rejects_file;
  if (auto path = args.value("rejects")) {
    rejects_file.open(*path, std::ios::binary | std::ios::trunc);
    if (!rejects_file) {
      fmt::print(stderr, "bylaw run: cannot write rejects '{}'\n", *path);
      return kExitFailure;
    }
  }
  io::RejectHandler on_reject = [&](std::uint64_t line, std::string_view reason,
                                    std::string_view detail, std::string_view text) {
    if (rejects_file.is_open()) {
      rejects_file << io::encode_reject(line, reason, detail, text) << '\n';
    } else {
      spdlog::warn("rejected line {}: {}: {}", line, reason, detail);
    }
  };

  std::unique_ptr<io::AuditStore> store;
  if (auto path = args.value("store")) {
    std::string error;
    store = io::AuditStore::open(*path, true, error);
    if (!store) {
      fmt::print(stderr, "bylaw run: cannot open store '{}': {}\n", *path, error);
      return kExitFailure;
    }
    store->add_policy(*loaded.policy);
    options.store = store.get();
  }

  io::RunCounts counts;
  try {
    counts = io::run_stream(*loaded.policy, *input, *output, on_reject, options);
    if (store) store->commit();
  } catch (const std::exception& e) {
    fmt::print(stderr, "bylaw run: {}\n", e.what());
    return kExitFailure;
  }
  if (store) {
    fmt::print(stderr, "bylaw run: store: {} records added, {} already there\n", store->added(),
               store->already_there());
  }
  std::fputs(io::summary_text(counts).c_str(), stderr);
  if (auto path = args.value("summary-json")) {
    std::ofstream summary(*path, std::ios::trunc);
    summary << io::summary_json(counts) << '\n';
    if (!summary) {
      fmt::print(stderr, "bylaw run: cannot write summary '{}'\n", *path);
      return kExitFailure;
    }
  }
  if (input->bad()) {
    fmt::print(stderr, "bylaw run: reading the input failed\n");
    return kExitFailure;
  }
  output->flush();
  rejects_file.flush();
  if (!*output || (rejects_file.is_open() && !rejects_file)) {
    fmt::print(stderr, "bylaw run: writing {} failed\n",
               !*output ? output_name : std::string("the rejects"));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace bylaw::cli
