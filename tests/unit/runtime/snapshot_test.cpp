// Engine checkpoints under a changed policy: state is matched by rule name and clause text;
// holds always carry over; what cannot be kept is reported; a changed schema is refused.
#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/core/bytes.hpp"
#include "bylaw/runtime/engine.hpp"

using namespace bylaw;
using namespace bylaw::runtime;

namespace {

const char* kSchema = "event tick { who: id  n: int }\n";

struct Collect : DecisionSink {
  std::vector<Decision> all;
  void on_decision(const Decision& d) override { all.push_back(d); }
};

struct Run {
  check::Policy policy;
  Collect sink;
  Engine engine;
  std::uint64_t sequence = 0;

  explicit Run(const std::string& rules, const std::string& schema = kSchema)
      : policy(testing::policy_of(schema + rules)), engine(policy, EngineOptions{}, sink) {}

  void tick(const std::string& id, const char* time, const std::string& who) {
    Event event;
    event.type = policy.schema.find("tick");
    event.id = id;
    event.time = *parse_rfc3339(time);
    event.sequence = ++sequence;
    event.fields = {who, std::int64_t{1}};
    engine.push(share(std::move(event)));
  }
};

const char* kCounting = R"(
rule busy {
  on tick as t
  where t.n > 0
  count per t.who over 10d as n
  when n >= 3
  then hold busy on t.who appeal after 30d say "{n} ticks"
}
rule noisy {
  on tick as t
  count per t.who over 1d as n
  when n >= 100
  then alert noisy on t.who severity low say "{n}"
})";

std::string saved_after_two_ticks() {
  Run run(kCounting);
  run.tick("a", "2026-01-01T00:00:00Z", "x");
  run.tick("b", "2026-01-02T00:00:00Z", "x");
  std::string state;
  run.engine.save(state);
  return state;
}

}  // namespace

TEST_CASE("the same policy restores everything and reports nothing dropped",
          "[runtime][snapshot]") {
  Run run(kCounting);
  RestoreReport report = run.engine.restore(saved_after_two_ticks());
  CHECK(report.dropped.empty());
  run.tick("c", "2026-01-03T00:00:00Z", "x");
  REQUIRE(run.sink.all.size() == 1);  // the third tick in 10 days: the window came back
  CHECK(run.sink.all[0].name == "busy");
}

TEST_CASE("a rule with the same clause keeps its window when other things changed",
          "[runtime][snapshot]") {
  // A new message, a new threshold, and the noisy rule gone: busy's window is the same clause.
  Run run(R"(
rule busy {
  on tick as t
  where t.n > 0
  count   per t.who   over 10d as n
  when n >= 3
  then hold busy on t.who appeal after 60d say "Three or more: {n}."
})");
  RestoreReport report = run.engine.restore(saved_after_two_ticks());
  REQUIRE(report.dropped.size() == 1);
  CHECK(report.dropped[0] == "rule noisy: its windows and indexes (the rule is gone)");
  run.tick("c", "2026-01-03T00:00:00Z", "x");
  CHECK(run.sink.all.size() == 1);
}

TEST_CASE("a changed clause starts empty and is reported", "[runtime][snapshot]") {
  Run run(R"(
rule busy {
  on tick as t
  where t.n > 0
  count per t.who over 20d as n
  when n >= 3
  then hold busy on t.who appeal after 30d say "{n} ticks"
})");
  RestoreReport report = run.engine.restore(saved_after_two_ticks());
  CHECK(std::find(report.dropped.begin(), report.dropped.end(),
                  "rule busy: the window of `count per t.who over 10d as n` (changed)") !=
        report.dropped.end());
  run.tick("c", "2026-01-03T00:00:00Z", "x");
  CHECK(run.sink.all.empty());  // only one tick counted since the restore
}

TEST_CASE("holds carry over whatever the rules became", "[runtime][snapshot]") {
  Run first(kCounting);
  for (const char* id : {"a", "b", "c"}) first.tick(id, "2026-01-01T00:00:00Z", "x");
  REQUIRE(first.sink.all.size() == 1);
  std::string state;
  first.engine.save(state);
  // A pack where nothing counts any more: the hold is placed only by hand now.
  Run second(R"(
rule by_hand {
  on tick as t
  where t.n > 1000
  then hold busy on t.who appeal after 30d say "By hand."
}
rule lift {
  on tick as t
  when held(t.who, busy)
  then release busy on t.who say "Released."
})");
  second.engine.restore(state);
  second.tick("d", "2026-01-05T00:00:00Z", "x");
  REQUIRE(second.sink.all.size() == 1);
  CHECK(second.sink.all[0].kind == check::DecisionKind::release);
}

TEST_CASE("a changed event schema is refused - damaged bytes are an error", "[runtime][snapshot]") {
  Run other(kCounting, "event tick { who: id  n: int  extra: string? }\n");
  CHECK_THROWS_AS(other.engine.restore(saved_after_two_ticks()), StateMismatch);
  Run fresh(kCounting);
  CHECK_THROWS_AS(fresh.engine.restore("nonsense"), BadBytes);
}

TEST_CASE("a clause is found by what it says - not by where it stands", "[runtime][snapshot]") {
  // noisy's window moves to the first place in busy (whose own window is gone): it is kept.
  Run first(R"(
rule busy {
  on tick as t
  count per t.who over 10d as n
  count per t.who over 1d as m
  when m >= 3
  then alert busy on t.who severity low say "{m}"
})");
  first.tick("a", "2026-01-01T00:00:00Z", "x");
  first.tick("b", "2026-01-01T01:00:00Z", "x");
  std::string state;
  first.engine.save(state);
  Run second(R"(
rule busy {
  on tick as t
  count per t.who over 1d as m
  when m >= 3
  then alert busy on t.who severity low say "{m}"
})");
  RestoreReport report = second.engine.restore(state);
  CHECK(report.dropped ==
        std::vector<std::string>{
            "rule busy: the window of `count per t.who over 10d as n` (changed)"});
  second.tick("c", "2026-01-01T02:00:00Z", "x");
  CHECK(second.sink.all.size() == 1);  // the 1d window came back under its new place
}

TEST_CASE("the checker - traces and checkpoints quote a clause by the same folded text",
          "[runtime][snapshot][text]") {
  // One clause text serves three purposes: the checker's expression texts, the trace's quotes,
  // and the identity a checkpoint finds a window by after a policy change. Written here with
  // tabs and line ends, and restored under a pack that lays the same clauses out otherwise.
  const char* spread =
      "\nrule busy {\n  on tick as t\n  let prior = latest tick as p\n"
      "      where\tp.who == t.who\n  where t.n\t>  0\n"
      "  count per t.who\n      over 10d as n\n  when n >= 3\n"
      "  then hold busy on t.who appeal after 30d say \"{n} ticks\"\n}\n";
  const char* compact =
      "\nrule busy {\n  on tick as t\n"
      "  let prior = latest tick as p where p.who == t.who\n"
      "  where t.n > 0\n  count per t.who over 10d as n\n  when n >= 3\n"
      "  then hold busy on t.who appeal after 30d say \"{n} ticks\"\n}\n";
  Run first(spread);
  first.tick("a", "2026-01-01T00:00:00Z", "x");
  first.tick("b", "2026-01-02T00:00:00Z", "x");
  std::string state;
  first.engine.save(state);

  Run second(compact);
  REQUIRE(second.policy.hash != first.policy.hash);
  CHECK(second.engine.restore(state).dropped.empty());  // the window and the index carry over
  second.tick("c", "2026-01-03T00:00:00Z", "x");
  REQUIRE(second.sink.all.size() == 1);

  first.tick("c", "2026-01-03T00:00:00Z", "x");
  REQUIRE(first.sink.all.size() == 1);
  const Trace& spread_trace = first.sink.all[0].explanation;
  const Trace& compact_trace = second.sink.all[0].explanation;
  CHECK(first.policy.rules[0].guards[0].text == "t.n > 0");
  REQUIRE(spread_trace.correlations.size() == 1);
  CHECK(spread_trace.correlations[0].condition ==
        "let prior = latest tick as p where p.who == t.who");
  CHECK(spread_trace.correlations[0].condition == compact_trace.correlations[0].condition);
  REQUIRE(spread_trace.conditions.size() == compact_trace.conditions.size());
  for (std::size_t i = 0; i < spread_trace.conditions.size(); ++i) {
    CHECK(spread_trace.conditions[i].expr.text == compact_trace.conditions[i].expr.text);
  }
}
