// bylaw-microbench: Google Benchmark micro-benchmarks of the hot pieces.
//   build/release/tools/bylaw-microbench --benchmark_filter=Decode
#include <benchmark/benchmark.h>

#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "bylaw/check/checker.hpp"
#include "bylaw/core/keyed_map.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/event_decoder.hpp"
#include "bylaw/runtime/engine.hpp"

namespace {

const char* kPack = BYLAW_SOURCE_DIR "/policies/marketplace.policy";

const bylaw::check::Policy& marketplace() {
  static const bylaw::check::LoadResult loaded = bylaw::io::load_policy_file(kPack);
  if (!loaded.policy) std::abort();
  return *loaded.policy;
}

struct Discard : bylaw::runtime::DecisionSink {
  std::uint64_t count = 0;
  void on_decision(const bylaw::runtime::Decision&) override { ++count; }
};

// Loading and checking the whole marketplace pack: parse, resolve, type-check, hash.
void PolicyLoad(benchmark::State& state) {
  for (auto _ : state) {
    auto loaded = bylaw::io::load_policy_file(kPack);
    benchmark::DoNotOptimize(loaded.policy);
  }
}
BENCHMARK(PolicyLoad)->Unit(benchmark::kMillisecond);

// One typical feedback line, from JSON to a typed event, by the one-pass reader and by the
// reference reader alone.
void Decode(benchmark::State& state, bylaw::io::DecodePath path) {
  bylaw::io::EventDecoder decoder(marketplace().schema, false, path);
  const std::string line =
      R"({"specversion":"1.0","id":"e-1042","source":"marketplace","type":"feedback.submitted",)"
      R"("time":"2026-03-04T10:15:00Z","data":{"contract":"k-77","client":"c-9","freelancer":"f-12",)"
      R"("direction":"client_to_freelancer","public_rating":2,"private_score":3,)"
      R"("reasons":["availability","performance"]}})";
  auto never = [](const std::string&) { return false; };
  for (auto _ : state) {
    auto decoded = decoder.decode(line, 1, 1, never);
    if (decoded.outcome != bylaw::io::LineOutcome::event) {
      state.SkipWithError("not an event");
      break;
    }
    benchmark::DoNotOptimize(decoded.event);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * line.size()));
}
BENCHMARK_CAPTURE(Decode, one_pass, bylaw::io::DecodePath::one_pass);
BENCHMARK_CAPTURE(Decode, reference, bylaw::io::DecodePath::reference);

bylaw::runtime::Event feedback(const bylaw::check::Policy& policy, std::uint64_t i,
                               std::uint64_t freelancers) {
  bylaw::runtime::Event event;
  auto* e = &event;
  e->type = policy.schema.find("feedback.submitted");
  e->id = fmt::format("e-{}", i);
  e->time = bylaw::Time{static_cast<std::int64_t>(i) * 60 * bylaw::kMicrosPerSecond};
  e->sequence = i;
  e->fields = {fmt::format("k-{}", i),
               fmt::format("c-{}", i % 97),
               fmt::format("f-{}", i % freelancers),
               bylaw::EnumValue{0},
               std::int64_t{4},
               std::int64_t{6},
               bylaw::StringSet::from({"skills"})};
  return event;
}

// Rule 1's path: guard, correlations, exclusions, a count-distinct window per freelancer, the
// threshold (never met: ratings are not negative enough... the window is still counted).
void WindowAggregate(benchmark::State& state) {
  const auto& policy = marketplace();
  Discard sink;
  bylaw::runtime::Engine engine(policy, {}, sink);
  std::vector<bylaw::runtime::Event> events;
  for (std::uint64_t i = 0; i < 4096; ++i) {
    auto e = feedback(policy, i, 256);
    e.fields[5] = std::int64_t{3};  // private_score 3: negative, so it is counted
    events.push_back(std::move(e));
  }
  std::uint64_t i = 0;
  for (auto _ : state) {
    bylaw::runtime::Event e = events[i % events.size()];
    e.time = bylaw::Time{static_cast<std::int64_t>(i) * 60 * bylaw::kMicrosPerSecond};
    e.id = "x";
    ++i;
    engine.push(bylaw::runtime::share(std::move(e)));
  }
  state.counters["decisions"] = static_cast<double>(sink.count);
}
BENCHMARK(WindowAggregate);

// An event no rule reacts to: dispatch and correlation indexing only.
void Dispatch(benchmark::State& state) {
  const auto& policy = marketplace();
  Discard sink;
  bylaw::runtime::Engine engine(policy, {}, sink);
  bylaw::runtime::Event started;
  started.type = policy.schema.find("contract.started");
  started.id = "e-1";
  started.fields = {std::string("k-1"), std::string("c-1"), std::string("f-1"), bylaw::EnumValue{0},
                    100.0};
  std::int64_t t = 0;
  for (auto _ : state) {
    bylaw::runtime::Event e = started;
    e.time = bylaw::Time{++t};
    engine.push(bylaw::runtime::share(std::move(e)));
  }
}
BENCHMARK(Dispatch);

struct Keep : bylaw::runtime::DecisionSink {
  std::vector<bylaw::runtime::Decision> decisions;
  void on_decision(const bylaw::runtime::Decision& d) override { decisions.push_back(d); }
};

// Writing decisions as JSON Lines with their whole traces (the output path): the decisions rule 1
// makes on negative feedback from many clients, encoded again and again into one reused buffer.
void EncodeDecision(benchmark::State& state) {
  const auto& policy = marketplace();
  Keep kept;
  bylaw::runtime::Engine engine(policy, {}, kept);
  for (std::uint64_t i = 0; i < 4096 && kept.decisions.size() < 64; ++i) {
    auto e = feedback(policy, i, 16);
    e.fields[5] = std::int64_t{3};  // negative: counted
    engine.push(bylaw::runtime::share(std::move(e)));
  }
  if (kept.decisions.empty()) {
    state.SkipWithError("no decision to encode");
    return;
  }
  std::string out;
  std::size_t bytes = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    out.clear();
    bylaw::io::append_decision(kept.decisions[i++ % kept.decisions.size()], out);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["bytes_per_decision"] = static_cast<double>(bytes) / state.iterations();
}
BENCHMARK(EncodeDecision);

// A keyed table under the churn of a `latest` index: each step puts a key, looks up one put a
// little earlier, and erases the oldest, so `range(0)` keys stay in the table (the 1M stream's
// indexes hold about 10^5). The keys are made beforehand, twice as many as stay: one put is the
// one erased `range(0)` steps before. KeyedMap against the std::unordered_map it replaced, with
// the same hash.
template <class Table>
void KeyedTableChurn(benchmark::State& state) {
  const auto live = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> keys;
  for (std::size_t n = 0; n < 2 * live; ++n) keys.push_back(fmt::format("a{}:k-{};", 2 + n % 7, n));
  Table table;
  for (std::size_t n = 0; n < live; ++n) table.try_emplace(keys[n], n);
  std::size_t next = live;
  for (auto _ : state) {
    table.try_emplace(keys[next % keys.size()], next);
    // One of the keys in the table, spread over their ages: a lookup that misses the cache.
    benchmark::DoNotOptimize(
        table.find(keys[(next - 1 - (next * 2654435761u) % live) % keys.size()]));
    table.erase(keys[(next - live) % keys.size()]);
    ++next;
  }
}
using StdKeyedMap =
    std::unordered_map<std::string, std::uint64_t, bylaw::KeyedHash, std::equal_to<>>;
BENCHMARK_TEMPLATE(KeyedTableChurn, bylaw::KeyedMap<std::uint64_t>)->Arg(1 << 12)->Arg(1 << 17);
BENCHMARK_TEMPLATE(KeyedTableChurn, StdKeyedMap)->Arg(1 << 12)->Arg(1 << 17);

}  // namespace

BENCHMARK_MAIN();
