// Policy tests: the test file format and how a case is judged.
#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/author/policy_test.hpp"

using namespace bylaw;
using namespace bylaw::author;

namespace {

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> errors;
  CHECK_FALSE(parse_test_file("t.test", text, errors).has_value());
  return errors;
}

TestFile parsed(const std::string& text) {
  std::vector<std::string> errors;
  auto file = parse_test_file("t.test", text, errors);
  INFO((errors.empty() ? "" : errors.front()));
  REQUIRE(file);
  return *file;
}

const char* kRules = R"(
event tick { who: id  n: int  tags: set<string>  kind: enum(a, b) }
param limit: int = 2
rule busy {
  on tick as t
  where t.kind == a
  count per t.who over 1d as n
  when n >= limit
  then alert busy on t.who severity low say "{n}"
})";

}  // namespace

TEST_CASE("a test file parses into cases with events and expectations", "[author]") {
  TestFile file = parsed(R"(# a comment
policy "pack.policy"
test "two ticks"   # trailing comment
  start 2026-01-01T00:00:00Z
  set limit = 3
  event +0d tick id=t-1 who=x n=1 tags=[p, q] kind=a
  event 2026-01-02T00:00:00Z tick who="x y" n=2 kind=b
  expect alert busy on x at +1d trigger=t-1
  expect eligibility appeal on x eligible=false reason=too_early eligible_at=+6mo
  allow others
end
)");
  CHECK(file.policies == std::vector<std::string>{"pack.policy"});
  REQUIRE(file.cases.size() == 1);
  const TestCase& c = file.cases[0];
  CHECK(c.name == "two ticks");
  CHECK(c.line == 3);
  REQUIRE(c.params.size() == 1);
  CHECK(c.params[0].name == "limit");
  CHECK(c.params[0].value == "3");
  CHECK(c.params[0].line == 5);
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].id == "t-1");
  CHECK(c.events[0].fields[2] == std::pair<std::string, std::string>{"tags", "[p, q]"});
  CHECK(c.events[1].fields[0].second == "\"x y\"");
  REQUIRE(c.expectations.size() == 2);
  CHECK(c.expectations[0].time->text == "+1d");
  CHECK(*c.expectations[0].trigger == "t-1");
  CHECK(*c.expectations[1].eligible == false);
  CHECK(*c.expectations[1].reason == "too_early");
  CHECK(c.allow_others);
}

// The mistakes of the one case of a file that otherwise parses.
std::vector<std::string> case_errors(const std::string& text) {
  TestFile file = parsed(text);
  REQUIRE(file.cases.size() == 1);
  return file.cases[0].errors;
}

TEST_CASE("test file errors name their line", "[author]") {
  CHECK(errors_of("test \"x\"\nend\n") ==
        std::vector<std::string>{"t.test:1: no `policy \"PATH\"` line"});
  CHECK(case_errors("policy \"p\"\ntest \"x\"\n  event +1d\nend\n") ==
        std::vector<std::string>{"t.test:3: expected: event TIME TYPE [id=ID] FIELD=VALUE ..."});
  CHECK(case_errors("policy \"p\"\ntest \"x\"\n  expect warning w on x\nend\n") ==
        std::vector<std::string>{
            "t.test:3: unknown decision kind 'warning': hold, release, alert or eligibility"});
  CHECK(errors_of("policy \"p\"\ntest \"x\"\n  event +1d tick who=\"open\n") ==
        std::vector<std::string>{"t.test:2: the test \"x\" has no `end`"});
  CHECK(case_errors("policy \"p\"\ntest \"x\"\n  expect alert a on x severty=high\nend\n")
            .at(0)
            .rfind("t.test:3: unknown expectation 'severty=high': did you mean 'severity'? "
                   "Expected trigger,",
                   0) == 0);
  CHECK(errors_of("policy \"p\"\nevent +1d tick\n") ==
        std::vector<std::string>{"t.test:2: `event` outside a test: expected `policy` or `test`"});
}

TEST_CASE("a case passes when its decisions are exactly those expected", "[author]") {
  check::Policy policy = testing::policy_of(kRules);
  TestFile file = parsed(R"(policy "p"
test "two a-ticks in a day"
  start 2026-01-01T00:00:00Z
  event +0h tick id=t-1 who=x n=1 tags=[] kind=a
  event +1h tick id=t-2 who=x n=1 tags=[] kind=a
  event +2h tick id=t-3 who=x n=1 tags=[] kind=b
  expect alert busy on x at +1h trigger=t-2
end
test "a third expectation is missing"
  start 2026-01-01T00:00:00Z
  event +0h tick id=t-1 who=x n=1 tags=[] kind=a
  event +1h tick id=t-2 who=x n=1 tags=[] kind=a
end
test "set applies to its case only"
  start 2026-01-01T00:00:00Z
  set limit = 1
  event +0h tick id=t-1 who=x n=1 tags=[] kind=a
  expect alert busy on x trigger=t-1
end
)");
  CHECK(run_case(policy, file, file.cases[0]).passed);
  CaseResult missing = run_case(policy, file, file.cases[1]);
  CHECK_FALSE(missing.passed);
  CHECK(missing.report.find("  + alert busy on x at 2026-01-01T01:00:00Z (+1h) trigger=t-2\n") !=
        std::string::npos);
  CHECK(missing.report.find("trace of + alert busy on x") != std::string::npos);
  CHECK(run_case(policy, file, file.cases[2]).passed);
  CHECK(run_case(policy, file, file.cases[0]).passed);  // the limit is 2 again
}

TEST_CASE("what does not fit the schema or the times fails with its line", "[author]") {
  check::Policy policy = testing::policy_of(kRules);
  TestFile file = parsed(R"(policy "p"
test "bad"
  start 2026-01-01T00:00:00Z
  event +0h tock who=x
end
test "bad field"
  start 2026-01-01T00:00:00Z
  event +0h tick who=x n=one tags=[] kind=a
end
test "bad enum"
  start 2026-01-01T00:00:00Z
  event +0h tick who=x n=1 tags=[] kind=c
end
test "bad param"
  set limit = many
end
)");
  CHECK(run_case(policy, file, file.cases[0]).report ==
        "t.test:4: unknown event type 'tock': did you mean 'tick'?\n");
  CHECK(run_case(policy, file, file.cases[1]).report ==
        "t.test:8: field n: 'one' is not an integer\n");
  CHECK(run_case(policy, file, file.cases[2])
            .report.rfind("t.test:12: the event was rejected: bad_field:kind", 0) == 0);
  CHECK(run_case(policy, file, file.cases[3]).report ==
        "t.test:15: set limit: 'many' is not an integer\n");
}

TEST_CASE("coverage counts each clause - each side of an or - and each outcome", "[author]") {
  check::Policy policy = testing::policy_of(R"(
event tick { who: id  n: int  kind: enum(a, b) }
rule r {
  on tick as t
  where t.n > 5 or t.kind == b
  exclude "small" when t.n == 6
  then eligibility e on t.who
    deny odd when t.n == 7 say "odd"
    allow say "ok"
})");
  TestFile file = parsed(R"(policy "p"
test "left side only"
  start 2026-01-01T00:00:00Z
  event +0h tick who=x n=6 kind=a
  event +1h tick who=x n=8 kind=a
  allow others
end
)");
  author::Coverage coverage(policy);
  REQUIRE(run_case(policy, file, file.cases[0], &coverage).passed);
  auto report = coverage_report(policy, coverage);
  REQUIRE(report.size() == 1);
  std::vector<std::string> lines;
  for (const auto& c : report[0].clauses) {
    lines.push_back(c.kind + " " + c.text + " " + std::to_string(c.count));
  }
  CHECK(lines == std::vector<std::string>{"where t.n > 5 or t.kind == b 2", "or t.n > 5 2",
                                          "or t.kind == b 0", "exclude \"small\" when t.n == 6 1",
                                          "deny odd when t.n == 7 0", "allow allow 1"});
  std::string text = render_coverage_text("p", report);
  CHECK(text.rfind("coverage of p: 4 of 6 clauses exercised (67%)\n", 0) == 0);
  CHECK(text.find(" NEVER  or      t.kind == b") != std::string::npos);
}

TEST_CASE("a mistake fails its case only - expectations may check every field of a decision",
          "[author]") {
  check::Policy policy = testing::policy_of(kRules);
  TestFile file = parsed(R"(policy "p"
test "every field"
  start 2026-01-01T00:00:00Z
  event +0h tick id=t-1 who=x n=1 tags=[] kind=a
  event +1h tick id=t-2 who=x n=1 tags=[] kind=a
  expect alert busy on x at +1h trigger=t-2 severity=low evidence=[t-2] message="2"
end
test "a wrong message"
  start 2026-01-01T00:00:00Z
  event +0h tick id=t-1 who=x n=1 tags=[] kind=a
  event +1h tick id=t-2 who=x n=1 tags=[] kind=a
  expect alert busy on x severity=low message="3"
end
test "a misspelt key"
  start 2026-01-01T00:00:00Z
  expect alert busy on x sevrity=low
end
test "a misspelt name"
  start 2026-01-01T00:00:00Z
  event +0h tick id=t-1 who=x n=1 tags=[] kind=a
  event +1h tick id=t-2 who=x n=1 tags=[] kind=a
  expect alert bsy on x
  allow others
end
test "a misspelt parameter"
  set limt = 1
end
)");
  CHECK(run_case(policy, file, file.cases[0]).passed);
  CaseResult wrong = run_case(policy, file, file.cases[1]);
  CHECK_FALSE(wrong.passed);
  CHECK(wrong.report.find("  - alert busy on x severity=low message=\"3\"   (line 12)\n") !=
        std::string::npos);
  CaseResult key = run_case(policy, file, file.cases[2]);
  CHECK_FALSE(key.passed);
  CHECK(key.report.rfind("t.test:16: unknown expectation 'sevrity=low': did you mean 'severity'?",
                         0) == 0);
  CHECK(run_case(policy, file, file.cases[3])
            .report.find("(line 22)  no rule makes alert 'bsy': did you mean 'busy'?") !=
        std::string::npos);
  CHECK(run_case(policy, file, file.cases[4]).report ==
        "t.test:26: set: the policy has no parameter 'limt': did you mean 'limit'?\n");
}
