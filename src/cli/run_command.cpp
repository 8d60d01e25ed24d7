// bylaw run --policy FILE [--input FILE|-] [--output FILE|-] [--rejects FILE]
//           [--max-lateness DURATION] [--summary-json FILE] [--dedup-horizon DURATION]
//           [--store FILE [--checkpoint-every N] [--allow-policy-change] [--restart]]
#include <sys/resource.h>

#include <csignal>
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
#include "bylaw/io/durable_run.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kRunUsage =
    "usage: bylaw run --policy FILE [--input FILE|-] [--output FILE|-] [--rejects FILE]\n"
    "                 [--max-lateness DURATION] [--dedup-horizon DURATION] [--max-per-key N]\n"
    "                 [--shadow-output FILE]\n"
    "                 [--summary-json FILE] [--store FILE [--checkpoint-every N]\n"
    "                 [--allow-policy-change] [--restart]]\n"
    "Evaluates the policy over a CloudEvents JSON Lines stream (standard input by default) and\n"
    "writes decisions as JSON Lines (standard output by default). Rejected lines go to --rejects,\n"
    "or to the log on standard error. A summary ends the run on standard error.\n"
    "Ids are remembered for --dedup-horizon (30d) of event time. A window keeps at most\n"
    "--max-per-key (1000) entries per key, the history as many decisions per subject.\n"
    "Rules in shadow mode enforce nothing; --shadow-output keeps their decisions, marked\n"
    "\"shadow\":true, to compare with what the enforced rules did.\n"
    "With --store, every decision, its trace and the policy texts also go to the audit store\n"
    "(SQLite), and the run checkpoints there every --checkpoint-every lines (100000) and at the\n"
    "end. Decisions reach the output only once their checkpoint is committed. Rerunning the same\n"
    "command after a crash resumes from the last checkpoint, and the output ends byte for byte\n"
    "as that of a run that never stopped. A changed policy is refused on resume unless\n"
    "--allow-policy-change; --restart drops an unfinished checkpoint and starts over.\n"
    "SIGTERM or SIGINT: the current line is finished, a checkpoint taken, and the run exits 0.\n";

// Set by SIGTERM and SIGINT; the run stops after the current line.
volatile std::sig_atomic_t g_stop = 0;

extern "C" void request_stop(int) {
  g_stop = 1;
}

// Without SA_RESTART, so that a read waiting on a pipe is interrupted and sees the request.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

int usage_error(const std::string& message) {
  fmt::print(stderr, "bylaw run: {}\n{}", message, kRunUsage);
  return kExitFailure;
}

void log_reject(std::uint64_t line, std::string_view reason, std::string_view detail,
                std::string_view) {
  spdlog::warn("rejected line {}: {}: {}", line, reason, detail);
}

// Without a store: decisions go straight to the output as they are made.
int run_plain(const Args& args, const check::Policy& policy, const io::RunOptions& options,
              io::RunCounts& counts) {
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
      log_reject(line, reason, detail, text);
    }
  };

  std::ofstream shadow_file;
  io::RunOptions with_shadow = options;
  if (auto path = args.value("shadow-output")) {
    shadow_file.open(*path, std::ios::binary | std::ios::trunc);
    if (!shadow_file) {
      fmt::print(stderr, "bylaw run: cannot write shadow output '{}'\n", *path);
      return kExitFailure;
    }
    with_shadow.shadow_output = &shadow_file;
  }
  try {
    counts = io::run_stream(policy, *input, *output, on_reject, with_shadow);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bylaw run: {}\n", e.what());
    return kExitFailure;
  }
  if (g_stop) fmt::print(stderr, "bylaw run: stopped by a signal after line {}\n", counts.lines);
  if (input->bad()) {
    fmt::print(stderr, "bylaw run: reading the input failed\n");
    return kExitFailure;
  }
  output->flush();
  rejects_file.flush();
  shadow_file.flush();
  if (shadow_file.is_open() && !shadow_file) {
    fmt::print(stderr, "bylaw run: writing the shadow output failed\n");
    return kExitFailure;
  }
  if (!*output || (rejects_file.is_open() && !rejects_file)) {
    fmt::print(stderr, "bylaw run: writing {} failed\n",
               !*output ? output_name : std::string("the rejects"));
    return kExitFailure;
  }
  return kExitOk;
}

// With a store: checkpoints, exactly-once output, resume.
int run_with_store(const Args& args, const check::Policy& policy, const io::RunOptions& options,
                   std::uint64_t checkpoint_every, io::RunCounts& counts) {
  std::string error;
  std::unique_ptr<io::AuditStore> store = io::AuditStore::open(*args.value("store"), true, error);
  if (!store) {
    fmt::print(stderr, "bylaw run: cannot open store '{}': {}\n", *args.value("store"), error);
    return kExitFailure;
  }
  io::DurableRunOptions durable;
  durable.run = options;
  durable.input = args.value("input").value_or("-");
  durable.output = args.value("output").value_or("-");
  durable.rejects = args.value("rejects").value_or("");
  durable.shadow_output = args.value("shadow-output").value_or("");
  durable.log_reject = log_reject;
  durable.checkpoint_every = checkpoint_every;
  durable.allow_policy_change = args.flag("allow-policy-change");
  durable.restart = args.flag("restart");
  durable.stop = options.stop;
  durable.notice = [](const std::string& text) { fmt::print(stderr, "bylaw run: {}\n", text); };
  io::DurableRunResult result;
  try {
    store->add_policy(policy);
    result = io::run_durable(policy, *store, durable);
  } catch (const io::RunRefused& e) {
    fmt::print(stderr, "bylaw run: {}\n", e.what());
    return kExitFailure;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bylaw run: {}\n", e.what());
    return kExitFailure;
  }
  if (result.stopped) {
    fmt::print(stderr,
               "bylaw run: stopped by a signal after line {}; checkpoint taken: rerun the same "
               "command to go on\n",
               result.counts.lines);
  }
  fmt::print(stderr, "bylaw run: store: {} records added, {} already there; {} checkpoints\n",
             store->added(), store->already_there(), result.checkpoints);
  counts = result.counts;
  return kExitOk;
}

}  // namespace

int run_command(const std::vector<std::string>& argv) {
  Args args(argv,
            {"policy", "input", "output", "rejects", "max-lateness", "summary-json", "store",
             "checkpoint-every", "dedup-horizon", "max-per-key", "shadow-output"},
            {"help", "allow-policy-change", "restart"});
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
  if (auto horizon = args.value("dedup-horizon")) {
    auto parsed = parse_duration(*horizon);
    if (!parsed) {
      return usage_error(
          fmt::format("--dedup-horizon '{}' is not a duration (e.g. 7d, 30d)", *horizon));
    }
    options.dedup_horizon = *parsed;
  }
  std::uint64_t checkpoint_every = 100000;
  if (auto every = args.value("checkpoint-every")) {
    auto n = parse_count(*every);
    if (!n || *n == 0) {
      return usage_error(
          fmt::format("--checkpoint-every '{}' is not a positive number of lines", *every));
    }
    checkpoint_every = *n;
  }
  if (auto cap = args.value("max-per-key")) {
    auto n = parse_count(*cap);
    if (!n || *n == 0) {
      return usage_error(fmt::format("--max-per-key '{}' is not a positive number", *cap));
    }
    options.max_per_key = *n;
  }
  bool durable = args.value("store").has_value();
  if (!durable) {
    for (const char* flag : {"allow-policy-change", "restart"}) {
      if (args.flag(flag)) return usage_error(fmt::format("--{} needs --store", flag));
    }
    if (args.value("checkpoint-every")) return usage_error("--checkpoint-every needs --store");
  }

  check::LoadResult loaded = check::load_policy(*args.value("policy"));
  std::fputs(loaded.render().c_str(), stderr);
  if (!loaded.policy) {
    fmt::print(stderr, "{}: the policy does not load\n", *args.value("policy"));
    return kExitBadPolicy;
  }

  install_stop_handlers();
  options.stop = &g_stop;
  io::RunCounts counts;
  int status = durable ? run_with_store(args, *loaded.policy, options, checkpoint_every, counts)
                       : run_plain(args, *loaded.policy, options, counts);
  if (status != kExitOk) return status;
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) == 0)
    counts.peak_rss_kb = static_cast<std::uint64_t>(usage.ru_maxrss);
  std::fputs(io::summary_text(counts).c_str(), stderr);
  if (auto path = args.value("summary-json")) {
    std::ofstream summary(*path, std::ios::trunc);
    summary << io::summary_json(counts) << '\n';
    if (!summary) {
      fmt::print(stderr, "bylaw run: cannot write summary '{}'\n", *path);
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace bylaw::cli
