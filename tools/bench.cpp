// bylaw-bench: how fast bylaw is against the speed of merely reading the stream.
//
//   bylaw-bench --bylaw PATH --policy FILE --input STREAM [--json]
//
// In one run, on one core: (a) simdjson On Demand reading every field of every event (the
// reference: no engine can be faster than reading its input); (b) `bylaw run` end to end, output to
// a file, its wall time and peak RSS; (c) decoding, evaluating and encoding separately, in
// nanoseconds per event. Exits 1 when the counts of (b) and (c) disagree.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/event_decoder.hpp"
#include "bylaw/io/internal/id_set.hpp"
#include "bylaw/runtime/engine.hpp"

// Every heap allocation of this process is counted, so the phases can report allocations per event.
static std::uint64_t g_allocations = 0;

void note_allocation() {
  ++g_allocations;
}

#include "counting_new.hpp"

#include "tool_cli.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Touches every value, so the reference pays for reading the whole event.
std::uint64_t touch(simdjson::ondemand::value value) {
  std::uint64_t sum = 0;
  switch (value.type()) {
    case simdjson::ondemand::json_type::object:
      for (auto field : value.get_object()) {
        sum += field.unescaped_key().value().size();
        sum += touch(field.value());
      }
      break;
    case simdjson::ondemand::json_type::array:
      for (auto item : value.get_array()) sum += touch(item.value());
      break;
    case simdjson::ondemand::json_type::string:
      sum += value.get_string().value().size();
      break;
    case simdjson::ondemand::json_type::number:
      sum += static_cast<std::uint64_t>(value.get_double().value());
      break;
    case simdjson::ondemand::json_type::boolean:
      sum += value.get_bool().value() ? 1 : 0;
      break;
    case simdjson::ondemand::json_type::null:
      break;
  }
  return sum;
}

// Keeps the optimiser from dropping work whose result is otherwise unused.
void benchmark_sink(const std::string& text) {
  static volatile std::size_t total = 0;
  total = total + text.size();
}

struct Collect : bylaw::runtime::DecisionSink {
  std::vector<bylaw::runtime::Decision> decisions;
  void on_decision(const bylaw::runtime::Decision& d) override {
    if (!d.shadow) decisions.push_back(d);
  }
};

struct Child {
  double seconds = 0;
  long peak_rss_kb = 0;
  int status = -1;
};

Child run_child(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    // What the children print (bylaw-bench-r1's own timing) would break this tool's table or
    // JSON: they are timed from here, and write their results to files.
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDOUT_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  Child child;
  struct rusage usage {};
  int status = 0;
  wait4(pid, &status, 0, &usage);
  child.seconds = seconds_since(start);
  child.peak_rss_kb = usage.ru_maxrss;
  child.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return child;
}

std::uint64_t json_count(const std::string& text, const std::string& key) {
  auto at = text.find("\"" + key + "\":");
  return at == std::string::npos ? 0
                                 : std::strtoull(text.c_str() + at + key.size() + 3, nullptr, 10);
}

struct BenchOptions {
  std::string bylaw;
  std::string policy;
  std::string input;
  bool json = false;
  std::string r1_policy;    // rule 1 alone, for bylaw...
  std::string r1_baseline;  // ...against rule 1 written by hand (bylaw-bench-r1)
};

// (b) `bylaw run` end to end, with its summary and the size of what it wrote.
struct RunMeasure {
  Child child;
  std::string summary;
  std::uint64_t output_bytes = 0;
};

std::string read_whole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The holds of a decisions file, "subject trigger" per line, sorted.
std::vector<std::string> holds_in(const std::string& decisions) {
  std::vector<std::string> holds;
  std::ifstream in(decisions);
  simdjson::dom::parser parser;
  std::string line;
  while (std::getline(in, line)) {
    simdjson::dom::element d;
    if (parser.parse(line).get(d)) continue;
    std::string_view kind, subject, trigger;
    if (d["kind"].get(kind) || kind != "hold" || d["subject"].get(subject)) continue;
    if (d["trigger"].get(trigger)) trigger = "null";
    holds.push_back(fmt::format("{} {}", subject, trigger));
  }
  std::sort(holds.begin(), holds.end());
  return holds;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

// `threads`: --threads; 0 leaves bylaw's default (the cores available).
RunMeasure measure_run(const BenchOptions& o, const std::string& policy,
                       std::vector<std::string>* holds = nullptr, unsigned threads = 0) {
  RunMeasure m;
  char work[] = "/tmp/bylaw-bench-XXXXXX";
  if (!mkdtemp(work)) return m;
  std::string dir = work;
  std::string out = dir + "/decisions.jsonl", rejects = dir + "/rejects.jsonl",
              summary = dir + "/summary.json";
  std::vector<std::string> argv{o.bylaw, "run", "--policy", policy, "--input", o.input};
  for (const auto& [flag, file] : {std::pair<std::string, std::string>{"--output", out},
                                   {"--rejects", rejects},
                                   {"--summary-json", summary}}) {
    argv.push_back(flag);
    argv.push_back(file);
  }
  if (threads > 0) {
    argv.push_back("--threads");
    argv.push_back(std::to_string(threads));
  }
  m.child = run_child(argv);
  m.summary = read_whole(summary);
  if (holds) *holds = holds_in(out);
  std::error_code error;
  auto size = std::filesystem::file_size(out, error);
  m.output_bytes = error ? 0 : size;
  for (const auto& file : {out, rejects, summary}) std::remove(file.c_str());
  rmdir(work);
  return m;
}

// The stream in memory, one string per line, so no phase pays for the disk.
struct Stream {
  std::vector<std::string> lines;
  std::uint64_t bytes = 0;
};

std::optional<Stream> read_stream(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  Stream stream;
  std::string line;
  while (std::getline(in, line)) {
    stream.bytes += line.size() + 1;
    stream.lines.push_back(std::move(line));
  }
  return stream;
}

// (a) simdjson parse-only; its checksum keeps the reading from being optimised away.
double measure_parse(const Stream& stream, std::uint64_t& checksum) {
  simdjson::ondemand::parser parser;
  auto start = Clock::now();
  for (const auto& line : stream.lines) {
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    simdjson::ondemand::value root;
    if (doc.get_value().get(root) != simdjson::SUCCESS) continue;
    try {
      checksum += touch(root);
    } catch (const simdjson::simdjson_error&) {
      // a malformed line: the reference skips it
    }
  }
  return seconds_since(start);
}

// (c) the phases apart: their times, allocations and counts.
struct Phases {
  double decode_seconds = 0, evaluate_seconds = 0, encode_seconds = 0;
  std::uint64_t decode_allocations = 0, evaluate_allocations = 0;
  std::uint64_t quiet_events = 0;       // events that made no decision...
  std::uint64_t quiet_allocations = 0;  // ...and what evaluating them allocated
  std::uint64_t evaluated = 0;
  std::size_t decisions = 0;
};

std::vector<bylaw::runtime::EventPtr> decode_all(const bylaw::check::Policy& policy,
                                                 const Stream& stream, Phases& phases) {
  bylaw::io::EventDecoder decoder(policy.schema);
  std::vector<bylaw::runtime::EventPtr> events;
  events.reserve(stream.lines.size());
  bylaw::io::IdSet ids;  // as bylaw run keeps them
  std::uint64_t allocations_before = g_allocations;
  auto start = Clock::now();
  std::uint64_t sequence = 0;
  for (const auto& line : stream.lines) {
    ++sequence;
    auto decoded = decoder.decode(line, sequence, sequence,
                                  [&ids](const std::string& id) { return ids.contains(id); });
    if (decoded.outcome == bylaw::io::LineOutcome::skipped) ids.insert(decoded.id, decoded.time);
    if (decoded.outcome != bylaw::io::LineOutcome::event) continue;
    ids.insert(decoded.id, decoded.time);
    events.push_back(std::move(decoded.event));
  }
  phases.decode_seconds = seconds_since(start);
  phases.decode_allocations = g_allocations - allocations_before;
  return events;
}

void evaluate_all(const bylaw::check::Policy& policy, std::vector<bylaw::runtime::EventPtr>& events,
                  Collect& sink, Phases& phases) {
  std::uint64_t late = 0;
  std::uint64_t allocations_before = g_allocations;
  auto start = Clock::now();
  {
    bylaw::runtime::Engine engine(policy, {}, sink);
    for (auto& event : events) {
      if (engine.is_late(event->time)) {
        ++late;
        continue;
      }
      std::size_t decisions = sink.decisions.size();
      std::uint64_t before = g_allocations;
      engine.push(std::move(event));
      if (sink.decisions.size() == decisions) {
        phases.quiet_allocations += g_allocations - before;
        ++phases.quiet_events;
      }
    }
    engine.finish();
  }
  phases.evaluate_seconds = seconds_since(start);
  phases.evaluate_allocations = g_allocations - allocations_before;
  phases.evaluated = events.size() - late;
  phases.decisions = sink.decisions.size();
}

void encode_all(const Collect& sink, Phases& phases) {
  auto start = Clock::now();
  std::string encoded;  // reused, as `run` appends to its output block
  for (const auto& d : sink.decisions) {
    encoded.clear();
    bylaw::io::append_decision(d, encoded);
    benchmark_sink(encoded);
  }
  phases.encode_seconds = seconds_since(start);
}

// Rule 1 alone, by hand and by bylaw, on the same stream: their wall times and their holds.
struct RuleOne {
  Child hand;
  RunMeasure bylaw;
  std::size_t holds = 0;
  bool same_holds = false;
};

RuleOne measure_rule_one(const BenchOptions& o) {
  RuleOne r;
  char work[] = "/tmp/bylaw-bench-r1-XXXXXX";
  if (!mkdtemp(work)) return r;
  std::string holds_file = std::string(work) + "/holds.txt";
  r.hand = run_child({o.r1_baseline, "--input", o.input, "--holds", holds_file});
  std::vector<std::string> by_hand = lines_of(holds_file), by_bylaw;
  std::remove(holds_file.c_str());
  rmdir(work);
  r.bylaw = measure_run(o, o.r1_policy, &by_bylaw);
  r.holds = by_bylaw.size();
  r.same_holds = r.hand.status == 0 && r.bylaw.child.status == 0 && by_hand == by_bylaw;
  return r;
}

struct Results {
  std::string input;
  std::size_t events = 0;
  std::uint64_t bytes = 0;
  double parse_seconds = 0;
  std::uint64_t checksum = 0;
  RunMeasure run;             // bylaw's default threads
  RunMeasure run_one_thread;  // --threads 1
  std::optional<RuleOne> rule_one;
  Phases phases;
  std::uint64_t run_evaluated = 0;
  bool counts_match = false;

  double n() const { return static_cast<double>(events); }
  double per_event_ns(double seconds) const { return seconds / n() * 1e9; }
  double per_decision_ns(double seconds) const {
    return phases.decisions == 0 ? 0.0 : seconds / static_cast<double>(phases.decisions) * 1e9;
  }
  double evaluated() const { return static_cast<double>(phases.evaluated); }
  double reference_rate() const { return n() / parse_seconds; }
  double run_rate() const { return n() / run.child.seconds; }
};

void print_json(const Results& r) {
  fmt::print(
      "{{\"events\":{},\"bytes\":{},\"parse_only_events_per_second\":{:.0f},"
      "\"run_events_per_second\":{:.0f},\"ratio\":{:.4f},\"run_peak_rss_kb\":{},"
      "\"decode_ns\":{:.0f},\"evaluate_ns\":{:.0f},\"encode_ns_per_decision\":{:.0f},"
      "\"decode_allocations_per_event\":{:.2f},\"evaluate_allocations_per_event\":{:.2f},"
      "\"output_bytes\":{},\"evaluated\":{},\"run_evaluated\":{},\"decisions\":{},\"counts_"
      "match\":{},\"run_one_thread_seconds\":{:.4f},\"run_default_threads_seconds\":{:.4f}",
      r.events, r.bytes, r.reference_rate(), r.run_rate(), r.run_rate() / r.reference_rate(),
      r.run.child.peak_rss_kb, r.per_event_ns(r.phases.decode_seconds),
      r.phases.evaluate_seconds / r.evaluated() * 1e9, r.per_decision_ns(r.phases.encode_seconds),
      static_cast<double>(r.phases.decode_allocations) / r.n(),
      static_cast<double>(r.phases.evaluate_allocations) / r.evaluated(), r.run.output_bytes,
      r.phases.evaluated, r.run_evaluated, r.phases.decisions, r.counts_match,
      r.run_one_thread.child.seconds, r.run.child.seconds);
  if (r.rule_one) {  // the side by side, in the same object
    fmt::print(
        ",\"r1_by_hand_seconds\":{:.4f},\"r1_bylaw_seconds\":{:.4f},\"r1_holds\":{},"
        "\"r1_same_holds\":{}",
        r.rule_one->hand.seconds, r.rule_one->bylaw.child.seconds, r.rule_one->holds,
        r.rule_one->same_holds);
  }
  fmt::print("}}\n");
}

void print_table(const Results& r) {
  const Phases& p = r.phases;
  double mb = static_cast<double>(r.bytes) / 1e6;
  fmt::print("stream: {} ({} events, {:.1f} MB)\n", r.input, r.events, mb);
  fmt::print("{:<34} {:>14} {:>10} {:>12}\n", "", "events/s", "MB/s", "ns/event");
  fmt::print("{:<34} {:>14.0f} {:>10.1f} {:>12.0f}\n", "(a) simdjson parse-only (reference)",
             r.reference_rate(), mb / r.parse_seconds, r.per_event_ns(r.parse_seconds));
  fmt::print("{:<34} {:>14.0f} {:>10.1f} {:>12.0f}\n", "(b) bylaw run, end to end", r.run_rate(),
             mb / r.run.child.seconds, r.per_event_ns(r.run.child.seconds));
  fmt::print("{:<34} {:>14.0f} {:>10.1f} {:>12.0f}\n", "(c) decode", r.n() / p.decode_seconds,
             mb / p.decode_seconds, r.per_event_ns(p.decode_seconds));
  fmt::print("{:<34} {:>14.0f} {:>10} {:>12.0f}\n", "(c) evaluate",
             r.evaluated() / p.evaluate_seconds, "", p.evaluate_seconds / r.evaluated() * 1e9);
  fmt::print("{:<34} {:>14} {:>10} {:>12.0f}  ({} decisions, {:.0f} ns each)\n", "(c) encode", "",
             "", r.per_event_ns(p.encode_seconds), p.decisions,
             r.per_decision_ns(p.encode_seconds));
  fmt::print(
      "heap allocations per event: decode {:.2f}, evaluate {:.2f} (decisions and traces "
      "included), evaluate of events that make no decision {:.2f}\n",
      static_cast<double>(p.decode_allocations) / r.n(),
      static_cast<double>(p.evaluate_allocations) / r.evaluated(),
      static_cast<double>(p.quiet_allocations) /
          static_cast<double>(std::max<std::uint64_t>(p.quiet_events, 1)));
  // What the ratio target leaves once the stream is read and the decisions the spec requires
  // (each with its full trace) are written: the floor under any engine's cost per event.
  double budget_ns = r.per_event_ns(r.parse_seconds) / 0.5;
  double floor_ns = r.per_event_ns(r.parse_seconds) + r.per_event_ns(p.encode_seconds);
  fmt::print(
      "output: {:.1f} MB of decisions ({:.0f} bytes per input event); a 0.5 ratio allows {:.0f} "
      "ns/event, and reading (a) plus writing the decisions (c encode) take {:.0f} of them\n",
      static_cast<double>(r.run.output_bytes) / 1e6,
      static_cast<double>(r.run.output_bytes) / r.n(), budget_ns, floor_ns);
  fmt::print("ratio (b)/(a): {:.3f}   peak RSS of (b): {:.0f} MB   (checksum {})\n",
             r.run_rate() / r.reference_rate(),
             static_cast<double>(r.run.child.peak_rss_kb) / 1024.0, r.checksum % 1000);
  fmt::print("counts: run evaluated {}, phases evaluated {}: {}\n", r.run_evaluated, p.evaluated,
             r.counts_match ? "match" : "MISMATCH");
  fmt::print(
      "threads: (b) with bylaw's default ({} cores here) {:.3f} s, with --threads 1 {:.3f} s: "
      "{:.2f}x\n",
      std::thread::hardware_concurrency(), r.run.child.seconds, r.run_one_thread.child.seconds,
      r.run_one_thread.child.seconds / r.run.child.seconds);
}

// The side-by-side table: reading only, rule 1 by hand, rule 1 by bylaw, the whole pack.
void print_side_by_side(const Results& r) {
  const RuleOne& one = *r.rule_one;
  auto row = [&r](const char* what, double seconds) {
    fmt::print("{:<44} {:>8.3f} s {:>12.0f} {:>12.0f}\n", what, seconds, r.n() / seconds,
               r.per_event_ns(seconds));
  };
  fmt::print(
      "\nside by side, one run on the same stream           wall time     events/s     ns/event\n");
  row("parse-only (a)", r.parse_seconds);
  row("rule 1 by hand (simdjson, hash maps)", one.hand.seconds);
  row("bylaw run, rule 1 alone (bench/r1.policy)", one.bylaw.child.seconds);
  row("bylaw run, the whole pack (b)", r.run.child.seconds);
  fmt::print("ratios: bylaw r1 / by hand {:.2f} (target >= 0.5); whole pack / parse-only {:.3f}\n",
             one.hand.seconds / one.bylaw.child.seconds, r.parse_seconds / r.run.child.seconds);
  fmt::print("holds of rule 1: {} by bylaw, {}\n", one.holds,
             one.same_holds ? "the same by hand" : "DIFFERENT by hand");
}

int bench(const BenchOptions& o) {
  Results r;
  r.input = o.input;
  // (b) first, while this process is small: a forked child counts the parent's resident pages
  // in its peak RSS until it execs.
  r.run = measure_run(o, o.policy);
  r.run_one_thread = measure_run(o, o.policy, nullptr, 1);
  if (!o.r1_policy.empty()) r.rule_one = measure_rule_one(o);
  if (r.run.child.status != 0)
    return std::fprintf(stderr, "bylaw-bench: bylaw run failed (%d)\n", r.run.child.status), 1;
  std::optional<Stream> stream = read_stream(o.input);
  if (!stream) return std::fprintf(stderr, "bylaw-bench: cannot read %s\n", o.input.c_str()), 1;
  r.events = stream->lines.size();
  r.bytes = stream->bytes;
  r.parse_seconds = measure_parse(*stream, r.checksum);
  bylaw::check::LoadResult loaded = bylaw::io::load_policy_file(o.policy);
  if (!loaded.policy) return std::fprintf(stderr, "%s", loaded.render().c_str()), 1;
  std::vector<bylaw::runtime::EventPtr> events = decode_all(*loaded.policy, *stream, r.phases);
  Collect sink;
  evaluate_all(*loaded.policy, events, sink, r.phases);
  encode_all(sink, r.phases);
  r.run_evaluated = json_count(r.run.summary, "evaluated");
  r.counts_match = r.run_evaluated == r.phases.evaluated &&
                   json_count(r.run.summary, "lines") == stream->lines.size();
  if (o.json) {
    print_json(r);
  } else {
    print_table(r);
    if (r.rule_one) print_side_by_side(r);
  }
  bool rule_one_ok = !r.rule_one || r.rule_one->same_holds;
  return r.counts_match && rule_one_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions options;
  CLI::App app{"How fast bylaw is against the speed of merely reading the stream", "bylaw-bench"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  add_bylaw_run_inputs(app, options.bylaw, options.policy, options.input);
  app.add_flag("--json", options.json, "One JSON object instead of the table");
  app.add_option("--r1-policy", options.r1_policy, "Rule 1 alone (policies/bench/r1.policy)")
      ->check(CLI::ExistingFile);
  app.add_option("--r1-baseline", options.r1_baseline, "Rule 1 by hand (bylaw-bench-r1)")
      ->check(CLI::ExistingFile);
  if (auto exit = parse_command_line(app, argc, argv)) return *exit;
  return bench(options);
}
