// bylaw-bench: how fast bylaw is against the speed of merely reading the stream.
//
//   bylaw-bench --bylaw PATH --policy FILE --input STREAM [--json]
//
// In one run, on one core: (a) simdjson On Demand reading every field of every event (the
// reference: no engine can be faster than reading its input); (b) `bylaw run` end to end, output to
// a file, its wall time and peak RSS; (c) decoding, evaluating and encoding separately, in
// nanoseconds per event. Exits 1 when the counts of (b) and (c) disagree.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/event_decoder.hpp"
#include "bylaw/runtime/engine.hpp"
#include "io/id_set.hpp"

// Every heap allocation of this process is counted, so the phases can report allocations per event.
static std::uint64_t g_allocations = 0;

void note_allocation() {
  ++g_allocations;
}

#include "counting_new.hpp"

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

int usage() {
  std::fprintf(stderr, "usage: bylaw-bench --bylaw PATH --policy FILE --input STREAM [--json]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bylaw_path, policy_path, input_path;
  bool as_json = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json") {
      as_json = true;
    } else if (i + 1 < argc && arg == "--bylaw") {
      bylaw_path = argv[++i];
    } else if (i + 1 < argc && arg == "--policy") {
      policy_path = argv[++i];
    } else if (i + 1 < argc && arg == "--input") {
      input_path = argv[++i];
    } else {
      return usage();
    }
  }
  if (bylaw_path.empty() || policy_path.empty() || input_path.empty()) return usage();

  // (b) bylaw run, end to end: first, while this process is small, because a forked child
  // counts the parent's resident pages in its peak RSS until it execs.
  char work[] = "/tmp/bylaw-bench-XXXXXX";
  if (!mkdtemp(work)) return 1;
  std::string out = std::string(work) + "/decisions.jsonl";
  std::string summary_path = std::string(work) + "/summary.json";
  Child run = run_child({bylaw_path, "run", "--policy", policy_path, "--input", input_path,
                         "--output", out, "--rejects", std::string(work) + "/rejects.jsonl",
                         "--summary-json", summary_path});
  std::string summary;
  {
    std::ifstream in(summary_path);
    std::stringstream text;
    text << in.rdbuf();
    summary = text.str();
  }
  std::uint64_t output_bytes = 0;
  {
    std::error_code error;
    auto size = std::filesystem::file_size(out, error);
    output_bytes = error ? 0 : size;
  }
  std::remove(out.c_str());
  std::remove((std::string(work) + "/rejects.jsonl").c_str());
  std::remove(summary_path.c_str());
  rmdir(work);
  if (run.status != 0)
    return std::fprintf(stderr, "bylaw-bench: bylaw run failed (%d)\n", run.status), 1;

  // The stream in memory, one string per line, so no phase pays for the disk.
  std::vector<std::string> lines;
  std::uint64_t bytes = 0;
  {
    std::ifstream in(input_path, std::ios::binary);
    if (!in) return std::fprintf(stderr, "bylaw-bench: cannot read %s\n", input_path.c_str()), 1;
    std::string line;
    while (std::getline(in, line)) {
      bytes += line.size() + 1;
      lines.push_back(std::move(line));
    }
  }
  const double n = static_cast<double>(lines.size());
  const double mb = static_cast<double>(bytes) / 1e6;

  // (a) simdjson parse-only.
  simdjson::ondemand::parser parser;
  std::uint64_t checksum = 0;
  auto start = Clock::now();
  for (const auto& line : lines) {
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
  double parse_seconds = seconds_since(start);

  // (c) the phases apart.
  bylaw::check::LoadResult loaded = bylaw::check::load_policy(policy_path);
  if (!loaded.policy) return std::fprintf(stderr, "%s", loaded.render().c_str()), 1;
  const bylaw::check::Policy& policy = *loaded.policy;
  bylaw::io::EventDecoder decoder(policy.schema);
  std::vector<bylaw::runtime::EventPtr> events;
  events.reserve(lines.size());
  bylaw::io::IdSet ids;  // as bylaw run keeps them
  std::uint64_t allocations_before = g_allocations;
  start = Clock::now();
  std::uint64_t sequence = 0;
  for (const auto& line : lines) {
    ++sequence;
    auto decoded = decoder.decode(line, sequence, sequence,
                                  [&ids](const std::string& id) { return ids.contains(id); });
    if (decoded.outcome == bylaw::io::LineOutcome::skipped) ids.insert(decoded.id, decoded.time);
    if (decoded.outcome != bylaw::io::LineOutcome::event) continue;
    ids.insert(decoded.id, decoded.time);
    events.push_back(std::move(decoded.event));
  }
  double decode_seconds = seconds_since(start);
  double decode_allocations = static_cast<double>(g_allocations - allocations_before) / n;

  Collect sink;
  std::uint64_t late = 0;
  std::uint64_t quiet_events = 0;       // events that made no decision...
  std::uint64_t quiet_allocations = 0;  // ...and what evaluating them allocated
  allocations_before = g_allocations;
  start = Clock::now();
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
        quiet_allocations += g_allocations - before;
        ++quiet_events;
      }
    }
    engine.finish();
  }
  double evaluate_seconds = seconds_since(start);
  std::uint64_t evaluate_allocations = g_allocations - allocations_before;

  start = Clock::now();
  std::string encoded;  // reused, as `run` appends to its output block
  for (const auto& d : sink.decisions) {
    encoded.clear();
    bylaw::io::append_decision(d, encoded);
    benchmark_sink(encoded);
  }
  double encode_seconds = seconds_since(start);

  std::uint64_t evaluated = events.size() - late;
  std::uint64_t run_evaluated = json_count(summary, "evaluated");
  std::uint64_t run_lines = json_count(summary, "lines");
  bool counts_match = run_evaluated == evaluated && run_lines == lines.size();

  double reference_rate = n / parse_seconds;
  double run_rate = n / run.seconds;
  if (as_json) {
    fmt::print(
        "{{\"events\":{},\"bytes\":{},\"parse_only_events_per_second\":{:.0f},"
        "\"run_events_per_second\":{:.0f},\"ratio\":{:.4f},\"run_peak_rss_kb\":{},"
        "\"decode_ns\":{:.0f},\"evaluate_ns\":{:.0f},\"encode_ns_per_decision\":{:.0f},"
        "\"decode_allocations_per_event\":{:.2f},\"evaluate_allocations_per_event\":{:.2f},"
        "\"output_bytes\":{},\"evaluated\":{},\"run_evaluated\":{},\"decisions\":{},\"counts_"
        "match\":{}}}\n",
        lines.size(), bytes, reference_rate, run_rate, run_rate / reference_rate, run.peak_rss_kb,
        decode_seconds / n * 1e9, evaluate_seconds / static_cast<double>(evaluated) * 1e9,
        sink.decisions.empty() ? 0.0
                               : encode_seconds / static_cast<double>(sink.decisions.size()) * 1e9,
        decode_allocations,
        static_cast<double>(evaluate_allocations) / static_cast<double>(evaluated), output_bytes,
        evaluated, run_evaluated, sink.decisions.size(), counts_match);
  } else {
    fmt::print("stream: {} ({} events, {:.1f} MB)\n", input_path, lines.size(), mb);
    fmt::print("{:<34} {:>14} {:>10} {:>12}\n", "", "events/s", "MB/s", "ns/event");
    fmt::print("{:<34} {:>14.0f} {:>10.1f} {:>12.0f}\n", "(a) simdjson parse-only (reference)",
               reference_rate, mb / parse_seconds, parse_seconds / n * 1e9);
    fmt::print("{:<34} {:>14.0f} {:>10.1f} {:>12.0f}\n", "(b) bylaw run, end to end", run_rate,
               mb / run.seconds, run.seconds / n * 1e9);
    fmt::print("{:<34} {:>14.0f} {:>10.1f} {:>12.0f}\n", "(c) decode", n / decode_seconds,
               mb / decode_seconds, decode_seconds / n * 1e9);
    fmt::print("{:<34} {:>14.0f} {:>10} {:>12.0f}\n", "(c) evaluate",
               static_cast<double>(evaluated) / evaluate_seconds, "",
               evaluate_seconds / static_cast<double>(evaluated) * 1e9);
    fmt::print("{:<34} {:>14} {:>10} {:>12.0f}  ({} decisions, {:.0f} ns each)\n", "(c) encode", "",
               "", encode_seconds / n * 1e9, sink.decisions.size(),
               sink.decisions.empty()
                   ? 0.0
                   : encode_seconds / static_cast<double>(sink.decisions.size()) * 1e9);
    fmt::print(
        "heap allocations per event: decode {:.2f}, evaluate {:.2f} (decisions and traces "
        "included), evaluate of events that make no decision {:.2f}\n",
        decode_allocations,
        static_cast<double>(evaluate_allocations) / static_cast<double>(evaluated),
        static_cast<double>(quiet_allocations) /
            static_cast<double>(std::max<std::uint64_t>(quiet_events, 1)));
    // What the ratio target leaves once the stream is read and the decisions the spec requires
    // (each with its full trace) are written: the floor under any engine's cost per event.
    double budget_ns = parse_seconds / n * 1e9 / 0.5;
    double floor_ns = parse_seconds / n * 1e9 + encode_seconds / n * 1e9;
    fmt::print(
        "output: {:.1f} MB of decisions ({:.0f} bytes per input event); a 0.5 ratio allows {:.0f} "
        "ns/event, and reading (a) plus writing the decisions (c encode) take {:.0f} of them\n",
        static_cast<double>(output_bytes) / 1e6, static_cast<double>(output_bytes) / n, budget_ns,
        floor_ns);
    fmt::print("ratio (b)/(a): {:.3f}   peak RSS of (b): {:.0f} MB   (checksum {})\n",
               run_rate / reference_rate, static_cast<double>(run.peak_rss_kb) / 1024.0,
               checksum % 1000);
    fmt::print("counts: run evaluated {}, phases evaluated {}: {}\n", run_evaluated, evaluated,
               counts_match ? "match" : "MISMATCH");
  }
  return counts_match ? 0 : 1;
}
