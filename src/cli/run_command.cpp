// bylaw run --policy FILE [--input FILE|-] [--output FILE|-] [--rejects FILE|-] ...
//           [--store FILE [--checkpoint-every N] [--checkpoint-interval D] ...]
#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/durable_run.hpp"
#include "bylaw/io/internal/tuning.hpp"
#include "bylaw/io/run_files.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "logging.hpp"
#include "options.hpp"
#include "signals.hpp"
#include "stream_options.hpp"

namespace bylaw::cli {

namespace {

struct RunCommandOptions {
  std::string policy;
  StreamOptions stream;
  std::string summary_json;
  std::uint64_t checkpoint_every = 100000;
  Duration checkpoint_interval{0, 200'000};
  bool allow_policy_change = false;
  bool restart = false;
  std::string explanations = "inline";
};

void log_reject(std::uint64_t line, std::string_view reason, std::string_view detail,
                std::string_view) {
  spdlog::warn("rejected line {}: {}: {}", line, reason, detail);
}

// A line of the run's report on standard error, as the summary's are ("bylaw run: ...").
void say(const std::string& text) {
  log_text("bylaw run: " + text + "\n");
}

// With a store: checkpoints, exactly-once output, resume, and state carried from run to run.
io::RunCounts run_with_store(const RunCommandOptions& args, const check::Policy& policy,
                             const io::RunOptions& options) {
  std::unique_ptr<io::AuditStore> store = io::open_run_store(args.stream.files, policy);
  io::DurableRunOptions durable;
  durable.run = options;
  durable.input = args.stream.files.input;
  durable.output = args.stream.files.output;
  durable.rejects = args.stream.files.rejects;
  durable.shadow_output = args.stream.files.shadow_output;
  durable.log_reject = log_reject;
  durable.checkpoint_every = args.checkpoint_every;
  durable.checkpoint_interval = std::chrono::milliseconds(
      std::max<std::int64_t>(1, args.checkpoint_interval.approximate_micros() / 1000));
  durable.allow_policy_change = args.allow_policy_change;
  durable.restart = args.restart;
  durable.stop = options.stop;
  durable.notice = [](const std::string& text) { say(text); };
  io::DurableRunResult result = io::run_durable(policy, *store, durable);
  if (result.stopped) {
    say(
        fmt::format("stopped by a signal after line {}; checkpoint taken: rerun the same command "
                    "to go on",
                    result.counts.lines));
  }
  say(fmt::format("store: {} records added, {} already there; {} checkpoints", store->added(),
                  store->already_there(), result.checkpoints));
  return result.counts;
}

io::RunCounts run_without_store(const RunCommandOptions& args, const check::Policy& policy,
                                const io::RunOptions& options) {
  // The process exits right after: its state is left to the operating system.
  io::RunCounts counts =
      io::internal::run_files_then_exit(policy, args.stream.files, options, log_reject);
  if (counts.stopped) say(fmt::format("stopped by a signal after line {}", counts.lines));
  return counts;
}

void write_summary(const std::string& path, const io::RunCounts& counts) {
  std::string json = io::summary_json(counts) + "\n";
  if (path == "-") {
    std::fputs(json.c_str(), stdout);
    return;
  }
  std::ofstream summary(path, std::ios::trunc);
  summary << json;
  if (!summary) throw io::RunRefused(fmt::format("cannot write summary '{}'", path));
}

// --explanations, checked against --store; none after saying why.
std::optional<io::Explanations> explanations_mode(const RunCommandOptions& args) {
  bool with_store = !args.stream.files.store.empty();
  if (args.explanations == "store") {
    if (with_store) return io::Explanations::in_store;
    spdlog::error("--explanations store needs --store: the explanations would go nowhere");
    return std::nullopt;
  }
  if (args.explanations == "none") {
    if (!with_store) return io::Explanations::none;
    spdlog::error(
        "--explanations none with --store: the audit store always keeps explanations; "
        "--explanations store leaves them out of the output only");
    return std::nullopt;
  }
  return io::Explanations::inline_trace;
}

int run_run(const RunCommandOptions& args) {
  set_log_format(args.stream.log_format);
  std::optional<io::Explanations> explanations = explanations_mode(args);
  if (!explanations) return kExitFailure;
  std::optional<check::Policy> policy = load_pack(args.policy, stderr);
  if (!policy) return kExitBadPolicy;
  io::RunOptions options = run_options(args.stream);
  if (options.partitions > 0 && !args.stream.files.store.empty()) {
    spdlog::error("--partitions with --store: a partitioned run keeps no checkpoints yet");
    return kExitFailure;
  }
  options.stop = install_stop_handlers();
  options.explanations = *explanations;
  try {
    io::RunFiles files = args.stream.files;
    files.summary_json = args.summary_json;  // checked writable with the others
    io::check_run_files(files);
    io::RunCounts counts = args.stream.files.store.empty()
                               ? run_without_store(args, *policy, options)
                               : run_with_store(args, *policy, options);
    struct rusage usage {};
    if (getrusage(RUSAGE_SELF, &usage) == 0)
      counts.peak_rss_kb = static_cast<std::uint64_t>(usage.ru_maxrss);
    log_text(io::summary_text(counts));
    if (!args.summary_json.empty()) write_summary(args.summary_json, counts);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

void add_store_options(CLI::App* run, RunCommandOptions& o) {
  CLI::Option* store =
      run->add_option("--store", o.stream.files.store,
                      "The audit store (SQLite): state, checkpoints, resume, the next run's start")
          ->type_name("FILE");
  add_signing_key(run, o.stream.files, store);
  add_positive_count(run, "--checkpoint-every", o.checkpoint_every, "Lines between checkpoints")
      ->needs(store);
  add_duration(run, "--checkpoint-interval", o.checkpoint_interval,
               "A live input's checkpoint after this long when decisions wait (default 200ms)",
               "200ms, 1s")
      ->needs(store);
  add_switch(run, "--allow-policy-change", o.allow_policy_change,
             "Go on under a changed policy (what is left behind is reported)")
      ->needs(store);
  add_switch(run, "--restart", o.restart, "Start from empty state (the audit chain is kept)")
      ->needs(store);
}

// The cores this process may run on (its CPU affinity, as under a container's cpuset).
unsigned available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

void add_run_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<RunCommandOptions>();
  CLI::App* run = bylaw.add_subcommand("run", "Evaluate the policy over a JSON Lines event stream");
  run->footer(
      "Decisions go out in the order they take effect: from a regular file in large blocks, from\n"
      "a pipe, socket or terminal as soon as the input has nothing more to give. Every input line\n"
      "is evaluated, a duplicate, skipped, late or rejected; a summary ends the run on standard\n"
      "error. With --store, every decision, its trace and the policy texts also go to the audit\n"
      "store, and decisions reach the output only once their checkpoint is committed (every\n"
      "--checkpoint-every lines, and for a live input every --checkpoint-interval). Rerunning the\n"
      "same command after a crash resumes from the last checkpoint; a run over a new input goes\n"
      "on from the state the last one left (day1, day2, day3 make what one run over the three\n"
      "would). SIGTERM or SIGINT: every line already read is evaluated and its decisions written\n"
      "(and checkpointed), then the run exits 0.");
  run->add_option("--policy", options->policy, "The policy pack (*.policy)")
      ->required()
      ->type_name("FILE");
  add_stream_files(run, options->stream);
  run->add_option("--summary-json", options->summary_json,
                  "The end-of-run summary as one JSON object")
      ->type_name("FILE|-");
  add_engine_options(run, options->stream);
  // Not 3 by default: encoding behind was measured slower on 2 cores, and it is 4-6% of a run.
  options->stream.run.threads = std::min(available_cores(), 2u);
  run->add_option("--threads", options->stream.run.threads,
                  "With 2 or more, a regular-file input without --store is decoded on a thread of "
                  "its own ahead of evaluation; with 3 or more, its decisions are also encoded on "
                  "another, behind it; the output is the same (default: 2, or 1 on one core)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  run->add_option("--partitions", options->stream.run.partitions,
                  "Evaluate with the state split by key over N partitions in this process, as "
                  "workers of a cluster would (docs/scaling.md): the same decisions, timers' "
                  "in another order; the summary adds hops and the balance of partitions")
      ->check(CLI::Range(1, 4096))
      ->type_name("N");
  add_choice(run, "--explanations", options->explanations, {"inline", "store", "none"},
             "Where each decision's explanation goes: on its line (inline, the default); only in "
             "the --store, the line saying {\"in_store\":true} (store); nowhere (none)");
  add_store_options(run, *options);
  run_when_chosen(run, chosen, options, run_run);
}

}  // namespace bylaw::cli
