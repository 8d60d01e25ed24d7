// Backtests: decisions matched across two packs by what they decide about, and sorted into
// unchanged, added, removed and changed.
#include <sstream>

#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/author/backtest.hpp"

using namespace bylaw;
using namespace bylaw::author;

namespace {

const char* kRules = R"(
event tick { who: id  n: int }
param limit: int = 2
rule busy {
  on tick as t
  count per t.who over 1d as c
  when c >= limit
  then alert busy on t.who severity low say "{c}"
}
rule ask {
  on tick as t
  then eligibility go on t.who
    deny low when t.n < limit say "low"
    allow say "ok"
})";

std::string tick(const std::string& id, const std::string& time) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"t","type":"tick","time":")" + time +
         R"(","data":{"who":"x","n":2}})" + "\n";
}

}  // namespace

TEST_CASE("a backtest sorts decisions into unchanged - added - removed and changed",
          "[author][backtest]") {
  check::Policy baseline = testing::policy_of(kRules);  // limit 2
  check::Policy candidate = testing::policy_of(kRules, "  set limit = 3");
  std::istringstream input(tick("a", "2026-01-01T00:00:00Z") + tick("b", "2026-01-01T01:00:00Z") +
                           tick("c", "2026-01-01T02:00:00Z"));
  BacktestReport report = backtest(candidate, baseline, input, BacktestOptions{});
  CHECK(report.lines == 3);
  CHECK(report.baseline_decisions == 5);   // busy at b and c; go allowed three times
  CHECK(report.candidate_decisions == 4);  // busy at c; go denied three times
  CHECK(report.unchanged == 1);            // busy at c
  CHECK(report.total.added == 0);
  CHECK(report.total.removed == 1);  // busy at b
  CHECK(report.total.changed == 3);  // go: allowed, now denied as low
  CHECK(report.by_rule["busy"].removed == 1);
  CHECK(report.by_rule["ask"].changed == 3);
  CHECK(report.by_name["eligibility go"].changed == 3);
  CHECK(report.by_subject["x"].removed == 1);
  CHECK(report.by_subject["x"].changed == 3);
  REQUIRE(report.examples.size() == 4);  // up to 3 per rule and kind: 3 changed, 1 removed
  const Change& changed = report.examples.front();
  REQUIRE(changed.kind == Change::Kind::changed);
  CHECK(changed.before->eligible);
  CHECK_FALSE(changed.after->eligible);
  CHECK(changed.after->reason == "low");
  std::string json = render_backtest_json(report);
  CHECK(json.find(R"("total":{"added":0,"removed":1,"changed":3})") != std::string::npos);
  CHECK(json.find(R"("by_subject":{"x":{"added":0,"removed":1,"changed":3}})") !=
        std::string::npos);
}

TEST_CASE("a backtest keeps only the first examples of each kind per rule", "[author][backtest]") {
  check::Policy baseline = testing::policy_of(kRules);
  check::Policy candidate = testing::policy_of(kRules, "  set limit = 3");
  std::string lines;
  for (int i = 0; i < 10; ++i) {
    lines += tick("e" + std::to_string(i), "2026-01-01T00:00:0" + std::to_string(i) + "Z");
  }
  std::istringstream input(lines);
  BacktestOptions options;
  options.examples = 2;
  BacktestReport report = backtest(candidate, baseline, input, options);
  CHECK(report.total.changed == 10);
  std::size_t changed_examples = 0;
  for (const auto& e : report.examples) changed_examples += e.kind == Change::Kind::changed;
  CHECK(changed_examples == 2);
}
