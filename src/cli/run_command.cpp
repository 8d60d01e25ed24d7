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

#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/durable_run.hpp"
#include "bylaw/io/internal/tuning.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"

namespace bylaw::cli {

namespace {

struct RunCommandOptions {
  std::string policy;
  std::string input = "-";
  std::string output = "-";
  std::string rejects;
  std::string shadow_output;
  std::string summary_json;
  std::string store;
  std::uint64_t checkpoint_every = 100000;
  bool allow_policy_change = false;
  bool restart = false;
  io::RunOptions run;  // lateness, horizon, caps
};

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

void log_reject(std::uint64_t line, std::string_view reason, std::string_view detail,
                std::string_view) {
  spdlog::warn("rejected line {}: {}: {}", line, reason, detail);
}

// Without a store: decisions go straight to the output as they are made.
int run_plain(const RunCommandOptions& args, const check::Policy& policy,
              const io::RunOptions& options, io::RunCounts& counts) {
  std::ifstream input_file;
  std::istream* input = &std::cin;
  if (args.input != "-") {
    input_file.open(args.input, std::ios::binary);
    if (!input_file) {
      fmt::print(stderr, "bylaw run: cannot read input '{}'\n", args.input);
      return kExitFailure;
    }
    input = &input_file;
  }
  std::ofstream output_file;
  std::ostream* output = &std::cout;
  std::string output_name = "standard output";
  if (args.output != "-") {
    output_file.open(args.output, std::ios::binary | std::ios::trunc);
    if (!output_file) {
      fmt::print(stderr, "bylaw run: cannot write output '{}'\n", args.output);
      return kExitFailure;
    }
    output = &output_file;
    output_name = args.output;
  }
  std::ofstream rejects_file;
  if (!args.rejects.empty()) {
    rejects_file.open(args.rejects, std::ios::binary | std::ios::trunc);
    if (!rejects_file) {
      fmt::print(stderr, "bylaw run: cannot write rejects '{}'\n", args.rejects);
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
  if (!args.shadow_output.empty()) {
    shadow_file.open(args.shadow_output, std::ios::binary | std::ios::trunc);
    if (!shadow_file) {
      fmt::print(stderr, "bylaw run: cannot write shadow output '{}'\n", args.shadow_output);
      return kExitFailure;
    }
    with_shadow.shadow_output = &shadow_file;
  }
  try {
    // The process exits right after: its state is left to the operating system.
    counts = io::internal::run_stream_then_exit(policy, *input, *output, on_reject, with_shadow);
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
int run_with_store(const RunCommandOptions& args, const check::Policy& policy,
                   const io::RunOptions& options, io::RunCounts& counts) {
  std::string error;
  std::unique_ptr<io::AuditStore> store = io::AuditStore::open(args.store, true, error);
  if (!store) {
    fmt::print(stderr, "bylaw run: cannot open store '{}': {}\n", args.store, error);
    return kExitFailure;
  }
  io::DurableRunOptions durable;
  durable.run = options;
  durable.input = args.input;
  durable.output = args.output;
  durable.rejects = args.rejects;
  durable.shadow_output = args.shadow_output;
  durable.log_reject = log_reject;
  durable.checkpoint_every = args.checkpoint_every;
  durable.allow_policy_change = args.allow_policy_change;
  durable.restart = args.restart;
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

int run_run(const RunCommandOptions& args) {
  std::optional<check::Policy> policy = load_pack(args.policy, stderr);
  if (!policy) return kExitBadPolicy;
  install_stop_handlers();
  io::RunOptions options = args.run;
  options.stop = &g_stop;
  io::RunCounts counts;
  int status = args.store.empty() ? run_plain(args, *policy, options, counts)
                                  : run_with_store(args, *policy, options, counts);
  if (status != kExitOk) return status;
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) == 0)
    counts.peak_rss_kb = static_cast<std::uint64_t>(usage.ru_maxrss);
  std::fputs(io::summary_text(counts).c_str(), stderr);
  if (args.summary_json.empty()) return kExitOk;
  std::ofstream summary(args.summary_json, std::ios::trunc);
  summary << io::summary_json(counts) << '\n';
  if (!summary) {
    fmt::print(stderr, "bylaw run: cannot write summary '{}'\n", args.summary_json);
    return kExitFailure;
  }
  return kExitOk;
}

void add_stream_options(CLI::App* run, RunCommandOptions& o) {
  run->add_option("--policy", o.policy, "The policy pack (*.policy)")
      ->required()
      ->type_name("FILE");
  run->add_option("--input", o.input, "CloudEvents JSON Lines; - for standard input")
      ->type_name("FILE|-")
      ->capture_default_str();
  run->add_option("--output", o.output, "Decisions as JSON Lines; - for standard output")
      ->type_name("FILE|-")
      ->capture_default_str();
  run->add_option("--rejects", o.rejects,
                  "Rejected and late lines, one JSON object each (default: the log)")
      ->type_name("FILE");
  run->add_option("--shadow-output", o.shadow_output,
                  "Decisions of rules in shadow mode, marked \"shadow\":true")
      ->type_name("FILE");
  run->add_option("--summary-json", o.summary_json, "The end-of-run summary as one JSON object")
      ->type_name("FILE");
  add_duration(run, "--max-lateness", o.run.max_lateness,
               "How late an event may come and still be evaluated, in time order (default 0s)",
               "0s, 10m, 1h");
  add_duration(run, "--dedup-horizon", o.run.dedup_horizon,
               "How long event ids are remembered to drop duplicates (default 30d)", "7d, 30d");
  add_positive_count(run, "--max-per-key", o.run.max_per_key,
                     "Window entries kept per key, and decisions per subject");
}

void add_store_options(CLI::App* run, RunCommandOptions& o) {
  CLI::Option* store =
      run->add_option("--store", o.store, "The audit store (SQLite): checkpoints and resumes")
          ->type_name("FILE");
  add_positive_count(run, "--checkpoint-every", o.checkpoint_every, "Lines between checkpoints")
      ->needs(store);
  add_switch(run, "--allow-policy-change", o.allow_policy_change,
             "Resume under a changed policy (what is left behind is reported)")
      ->needs(store);
  add_switch(run, "--restart", o.restart, "Drop an unfinished checkpoint and start over")
      ->needs(store);
}

}  // namespace

void add_run_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<RunCommandOptions>();
  CLI::App* run = bylaw.add_subcommand("run", "Evaluate the policy over a JSON Lines event stream");
  run->footer(
      "Decisions go out in the order they take effect; every input line is evaluated, a\n"
      "duplicate, skipped, late or rejected, and a summary ends the run on standard error.\n"
      "With --store, every decision, its trace and the policy texts also go to the audit store,\n"
      "and the run checkpoints there every --checkpoint-every lines and at the end; decisions\n"
      "reach the output only once their checkpoint is committed. Rerunning the same command\n"
      "after a crash resumes from the last checkpoint, and the output ends byte for byte as that\n"
      "of a run that never stopped. SIGTERM or SIGINT: the current line is finished, a\n"
      "checkpoint taken, and the run exits 0.");
  add_stream_options(run, *options);
  add_store_options(run, *options);
  run_when_chosen(run, chosen, options, run_run);
}

}  // namespace bylaw::cli
