// Partitioned evaluation in one process against one engine: random streams over a pack with a
// rule in two steps (a lookup and a hold read by sale, then a window and a hold by seller: its
// trace, built at the seller's partition, evaluates the sale's hold again), a window with a
// remembered alert, releases, postponed appeals, appeal and expiry timers, and a reaction. Over
// any number of partitions, the decisions must be the same bytes.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/partitioned_evaluation.hpp"
#include "bylaw/runtime/engine.hpp"

using namespace bylaw;

namespace {

const char* kPack = R"(
event sale { sale: id  buyer: id  seller: id  amount: int }
event report { sale: id  kind: string }
event note { who: id  tag: string }

hold selling {
  display "Selling paused"
  appeal after 2d
  expires after 5d
}

hold sale_frozen { not appealable }

rule freeze {
  on report as r
  where r.kind == "spam"
  then hold sale_frozen on r.sale say "frozen"
}

rule reported_sellers {
  on sale as s
  let report = latest report as r where r.sale == s.sale within 10d
  where report.kind == "fraud"
  exclude "a small sale" when s.amount < 10
  exclude "a frozen sale" when held(s.sale, sale_frozen)
  count distinct s.buyer per s.seller over 7d as buyers
  when buyers >= 2 and not held(s.seller, selling)
  then hold selling on s.seller say "{buyers} buyers reported a sale"
}

rule busy_buyers {
  on sale as s
  let recent = earlier alert busy on s.buyer within 1d
  count per s.buyer over 1d as sales
  when sales >= 3 and not exists(recent)
  then alert busy on s.buyer severity low say "{sales} sales"
}

rule lifting {
  on note as n
  where n.tag == "lift" and held(n.who, selling)
  then release selling on n.who say "lifted"
}

rule later_appeal {
  on note as n
  where n.tag == "later" and held(n.who, selling)
  then postpone appeal selling on n.who until n.time + 1d
}

rule window_opens {
  on timer hold.appeal_due as h
  then eligibility appeal on h.subject allow say "{h.hold} may be appealed"
}

rule told {
  on decision hold selling as d
  then alert seller_held on d.subject severity medium say "held"
}
)";

struct Encoded : runtime::DecisionSink {
  std::vector<std::string> lines;
  void on_decision(const runtime::Decision& d) override { lines.push_back(io::encode_decision(d)); }
  std::vector<std::string> sorted() const {
    std::vector<std::string> out = lines;
    std::sort(out.begin(), out.end());
    return out;
  }
};

// A stream over few sales, buyers and sellers, so that lookups find, windows fill and holds
// come and go; minutes apart, a few events out of order within the allowed lateness.
std::vector<runtime::EventPtr> stream(const check::Policy& policy, unsigned seed, int count) {
  std::mt19937 random(seed);
  auto pick = [&random](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  std::vector<runtime::EventPtr> events;
  std::int64_t minute = 60'000'000;
  Time start = *parse_rfc3339("2026-01-01T00:00:00Z");
  for (int i = 0; i < count; ++i) {
    runtime::Event event;
    event.id = fmt::format("e{}", i);
    event.sequence = static_cast<std::uint64_t>(i + 1);
    event.time = Time{start.micros + (i * 37 + pick(30)) * minute};
    int kind = pick(10);
    std::string sale = fmt::format("sale{}", pick(60));
    if (kind < 6) {
      event.type = policy.schema.find("sale");
      event.fields = {Value(sale), Value(fmt::format("b{}", pick(12))),
                      Value(fmt::format("s{}", pick(9))), Value(std::int64_t{pick(40)})};
    } else if (kind < 8) {
      event.type = policy.schema.find("report");
      event.fields = {Value(sale), Value(std::string(pick(3) == 0 ? "spam" : "fraud"))};
    } else {
      event.type = policy.schema.find("note");
      event.fields = {Value(fmt::format("s{}", pick(9))),
                      Value(std::string(pick(2) == 0 ? "lift" : "later"))};
    }
    events.push_back(runtime::share(std::move(event)));
  }
  return events;
}

runtime::EngineOptions options() {
  runtime::EngineOptions o;
  o.max_lateness = Duration{0, 60LL * 60'000'000};
  return o;
}

std::vector<std::string> one_engine(const check::Policy& policy,
                                    const std::vector<runtime::EventPtr>& events) {
  Encoded sink;
  runtime::Engine engine(policy, options(), sink);
  for (const auto& event : events) {
    if (!engine.is_late(event->time)) engine.push(event);
  }
  engine.finish();
  return sink.sorted();
}

struct Partitioned {
  Encoded sink;
  io::PartitionedEvaluation partitions;
  runtime::Engine router;

  Partitioned(const check::Policy& policy, std::uint32_t n)
      : partitions(policy, options(), sink, n), router(policy, handing_off(&partitions), sink) {}

  static runtime::EngineOptions handing_off(runtime::EventHandoff* to) {
    runtime::EngineOptions o = options();
    o.handoff = to;
    return o;
  }

  std::vector<std::string> run(const std::vector<runtime::EventPtr>& events) {
    for (const auto& event : events) {
      if (!router.is_late(event->time)) router.push(event);
    }
    router.finish();
    partitions.finish(router.clock());
    return sink.sorted();
  }
};

}  // namespace

TEST_CASE("partitioned evaluation makes one engine's decisions, byte for byte",
          "[io][partitions]") {
  check::Policy policy = testing::policy_of(kPack);
  for (unsigned seed = 1; seed <= 6; ++seed) {
    std::vector<runtime::EventPtr> events = stream(policy, seed, 1500);
    std::vector<std::string> expected = one_engine(policy, events);
    // The stream must exercise what partitions split: holds, releases, timers, reactions.
    auto count = [&expected](const char* text) {
      return std::count_if(expected.begin(), expected.end(), [text](const std::string& line) {
        return line.find(text) != std::string::npos;
      });
    };
    INFO("seed " << seed);
    REQUIRE(count("\"kind\":\"hold\"") > 0);
    REQUIRE(count("\"kind\":\"release\"") > 0);
    REQUIRE(count("\"kind\":\"eligibility\"") > 0);
    REQUIRE(count("seller_held") > 0);
    REQUIRE(count("a frozen sale") > 0);  // a trace showing the exclusion read at the sale
    for (std::uint32_t n : {1u, 2u, 3u, 7u, 16u}) {
      INFO(n << " partitions");
      Partitioned partitioned(policy, n);
      CHECK(partitioned.run(events) == expected);
      io::PartitionCounts counts = partitioned.partitions.counts();
      CHECK(counts.events.size() == n);
      if (n > 1) CHECK(counts.hops > 0);
    }
  }
}
