// Bounded state over years of event time (issue 16 item 6): runs a policy over a stream and, at
// the end of each year of event time (365 days from the first event), prints the process's peak
// and current RSS and the engine's state. With a constant population of live accounts, a pack
// whose state is bounded by horizons keeps its peak RSS flat from year 1 on. It measures the
// engine as `bylaw run` drives it, without the run's set of recent event ids (bounded on its own
// by --dedup-horizon), to show the language's state alone.
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/event_decoder.hpp"
#include "bylaw/runtime/engine.hpp"
#include "tool_cli.hpp"

namespace {

struct Discard : bylaw::runtime::DecisionSink {
  std::uint64_t decisions = 0;
  void on_decision(const bylaw::runtime::Decision&) override { ++decisions; }
};

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

long current_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

void report(int year, std::uint64_t events, const Discard& sink,
            const bylaw::runtime::Engine& engine) {
  bylaw::runtime::StateSize s = engine.state_size();
  fmt::print("{:>4} {:>10} {:>10} {:>12} {:>12} {:>14} {:>12} {:>10} {:>12}\n", year, events,
             sink.decisions, peak_rss_kb() / 1024, current_rss_kb() / 1024, s.correlation_keys,
             s.aggregate_entries, s.history_subjects, s.holds);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Peak RSS and engine state at the end of each year of event time"};
  std::string policy_path, input;
  app.add_option("--policy", policy_path, "The policy pack")->required()->check(CLI::ExistingFile);
  app.add_option("--input", input, "The event stream (JSON Lines)")
      ->required()
      ->check(CLI::ExistingFile);
  if (auto exit = parse_command_line(app, argc, argv)) return *exit;
  bylaw::check::LoadResult loaded = bylaw::io::load_policy_file(policy_path);
  if (!loaded.policy) {
    std::fputs(loaded.render().c_str(), stderr);
    return 2;
  }
  std::ifstream in(input);
  Discard sink;
  bylaw::runtime::Engine engine(*loaded.policy, {}, sink);
  bylaw::io::EventDecoder decoder(loaded.policy->schema);
  fmt::print("{:>4} {:>10} {:>10} {:>12} {:>12} {:>14} {:>12} {:>10} {:>12}\n", "year", "events",
             "decisions", "peak RSS MB", "RSS MB", "latest entries", "window items", "histories",
             "hold records");
  std::optional<bylaw::Time> year_ends;
  int year = 1;
  std::uint64_t sequence = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++sequence;
    auto decoded =
        decoder.decode(line, sequence, sequence, [](const std::string&) { return false; });
    if (decoded.outcome != bylaw::io::LineOutcome::event) continue;
    bylaw::Time time = decoded.event->time;
    if (!year_ends) year_ends = bylaw::add(time, bylaw::Duration{0, 365 * bylaw::kMicrosPerDay});
    while (time > *year_ends) {
      report(year++, sequence - 1, sink, engine);
      year_ends = bylaw::add(*year_ends, bylaw::Duration{0, 365 * bylaw::kMicrosPerDay});
    }
    engine.push(std::move(decoded.event));
  }
  engine.finish();
  report(year, sequence, sink, engine);
  return 0;
}
