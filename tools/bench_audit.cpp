// The audit store's searches on a large store (tools/bench --audit runs it): fills a store with
// --count decisions made from real ones (a run's output, each copy under new ids, accounts and
// times, written through AuditStore::add_decision like a run does), then times each search the
// API and `bylaw audit query` offer. Prints the median of --repeat runs of each, in ms.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/decision_decoder.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "tool_cli.hpp"

using namespace bylaw;

namespace {

std::vector<runtime::Decision> read_decisions(const std::string& path) {
  std::ifstream in(path);
  std::vector<runtime::Decision> out;
  std::string line, error;
  while (std::getline(in, line)) {
    if (auto d = io::decode_decision(line, error)) out.push_back(std::move(*d));
  }
  return out;
}

// Copy `round` of a decision: its own id, account and time, so that the store holds as many
// accounts and as long a history as --count asks for.
runtime::Decision copy_of(runtime::Decision d, std::size_t round, Duration span) {
  std::string suffix = fmt::format("-{}", round);
  d.id += suffix;
  d.subject += suffix;
  d.time = add(d.time, Duration{0, span.micros * static_cast<std::int64_t>(round)});
  for (auto& e : d.evidence) e += suffix;
  return d;
}

void fill(io::AuditStore& store, const std::vector<runtime::Decision>& seed, std::size_t count) {
  Time first = seed.front().time, last = seed.front().time;
  for (const auto& d : seed) {
    first = std::min(first, d.time);
    last = std::max(last, d.time);
  }
  Duration span{0, last.micros - first.micros + kMicrosPerDay};
  for (std::size_t n = 0; n < count; ++n) {
    runtime::Decision d = copy_of(seed[n % seed.size()], n / seed.size(), span);
    store.add_decision(d, io::encode_decision(d));
  }
  store.commit();
}

double median_ms(const io::AuditStore& store, const io::DecisionQuery& q, int repeat,
                 std::size_t& found) {
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    auto start = std::chrono::steady_clock::now();
    found = store.search(q).size();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Times the audit store's searches on a store of --count decisions"};
  std::string decisions, store_path;
  std::size_t count = 1'000'000;
  int repeat = 5;
  app.add_option("--decisions", decisions, "Decisions (a run's output) to copy")->required();
  app.add_option("--store", store_path, "The store to fill (reused when it exists)")->required();
  app.add_option("--count", count, "Decisions in the store")->capture_default_str();
  app.add_option("--repeat", repeat, "Runs of each search")->capture_default_str();
  if (auto code = parse_command_line(app, argc, argv)) return *code;
  std::vector<runtime::Decision> seed = read_decisions(decisions);
  if (seed.empty()) {
    std::cerr << "bylaw-bench-audit: no decisions in " << decisions << "\n";
    return 1;
  }
  std::string error;
  bool fresh = !std::filesystem::exists(store_path);
  auto store = io::AuditStore::open(store_path, true, error);
  if (!store) {
    std::cerr << "bylaw-bench-audit: " << error << "\n";
    return 1;
  }
  if (fresh) {
    auto start = std::chrono::steady_clock::now();
    fill(*store, seed, count);
    fmt::print("filled {} with {} decisions in {:.1f} s ({:.0f} MB)\n", store_path, count,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               static_cast<double>(std::filesystem::file_size(store_path)) / 1e6);
  }
  // Searches for what the seed holds, in the middle of the store's history.
  const runtime::Decision& hold =
      *std::find_if(seed.begin(), seed.end(),
                    [](const auto& d) { return d.kind == check::DecisionKind::hold; });
  std::size_t middle = count / seed.size() / 2;
  runtime::Decision sample = copy_of(hold, middle, Duration{});
  std::vector<std::pair<std::string, io::DecisionQuery>> searches;
  auto add = [&](std::string name, auto set) {
    io::DecisionQuery q;
    set(q);
    searches.emplace_back(std::move(name), q);
  };
  add("newest 50", [](auto&) {});
  add("--subject", [&](auto& q) { q.subject = sample.subject; });
  add("--subject --active-holds", [&](auto& q) { q.subject = sample.subject; q.active_holds = true; });
  add("--rule (a week)", [&](auto& q) {
    q.rule = hold.rule;
    q.from = subtract(sample.time, Duration{0, 7 * kMicrosPerDay});
    q.to = sample.time;
  });
  add("--kind hold", [](auto& q) { q.kind = "hold"; });
  add("--name", [&](auto& q) { q.name = hold.name; });
  add("--event", [&](auto& q) { q.event = sample.evidence.empty() ? "" : sample.evidence.front(); });
  add("--from --to (a day)", [&](auto& q) {
    q.from = subtract(sample.time, Duration{0, kMicrosPerDay});
    q.to = sample.time;
  });
  add("--active-holds (all)", [](auto& q) { q.active_holds = true; });
  fmt::print("{:<28} {:>10} {:>8}\n", "search", "median ms", "found");
  for (const auto& [name, q] : searches) {
    std::size_t found = 0;
    double ms = median_ms(*store, q, repeat, found);
    fmt::print("{:<28} {:>10.2f} {:>8}\n", name, ms, found);
  }
  return 0;
}
