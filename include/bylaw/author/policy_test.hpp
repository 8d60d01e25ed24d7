// Policy tests (`bylaw test`): given events, expect decisions. A test file names a policy pack
// and holds cases; each case feeds its events (at absolute times, or relative to its start)
// through the same decoder and engine as `bylaw run`, and compares what comes out with what it
// expects. The format is in docs/testing.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bylaw/author/coverage.hpp"
#include "bylaw/check/policy.hpp"
#include "bylaw/runtime/decision.hpp"

namespace bylaw::author {

// A time as written: absolute, or an offset from the case's `start`.
struct WrittenTime {
  std::string text;
  std::uint32_t line = 0;
};

struct EventSpec {
  std::uint32_t line = 0;
  WrittenTime time;
  std::string type;
  std::string id;                                           // empty: e-<index>
  std::vector<std::pair<std::string, std::string>> fields;  // name, value as written
};

// One expected decision: the kind, name and subject always; the other fields only when given.
struct Expectation {
  std::uint32_t line = 0;
  std::string kind;  // hold, release, alert, eligibility
  std::string name;
  std::string subject;
  std::optional<WrittenTime> time;
  std::optional<std::string> trigger;  // an event id, or "timer"
  std::optional<bool> eligible;
  std::optional<std::string> reason;
  std::optional<WrittenTime> eligible_at;
  std::optional<WrittenTime> appeal_eligible_at;
  bool not_appealable = false;  // appeal_eligible_at=none
  std::optional<WrittenTime> expires_at;
  std::optional<std::string> severity;
  std::optional<std::vector<std::string>> scope;
  std::optional<std::vector<std::string>> evidence;  // the decision's evidence ids, in order
  std::optional<std::string> message;                // the whole summary, exactly
};

// set NAME = VALUE, for one case.
struct ParamSetting {
  std::string name;
  std::string value;  // as the pack would write it
  std::uint32_t line = 0;
};

struct TestCase {
  std::uint32_t line = 0;
  std::string name;
  std::optional<WrittenTime> start;
  std::vector<ParamSetting> params;
  std::vector<EventSpec> events;
  std::vector<Expectation> expectations;
  bool allow_others = false;  // decisions no expectation names are not failures
  // Mistakes in this case's lines ("path:line: message"): the case fails with them, the file's
  // other cases still run.
  std::vector<std::string> errors;
};

struct TestFile {
  std::string path;
  // The packs every case runs against, relative to the test file: one, or a pack and the packs
  // that extend it (`policy "../marketplace.policy" "../extended.policy"`).
  std::vector<std::string> policies;
  std::vector<TestCase> cases;
};

// Parses a test file; on errors returns nothing and appends "path:line: message" lines.
std::optional<TestFile> parse_test_file(const std::string& path, const std::string& text,
                                        std::vector<std::string>& errors);

struct CaseResult {
  bool passed = false;
  std::string report;  // for a failure: the diff, and the traces of the decisions that differ
  std::vector<runtime::Decision> decisions;
};

// Runs one case against a loaded policy (copied, so that its `set` lines apply to it alone),
// counting the clauses it exercises into `coverage` when given.
CaseResult run_case(const check::Policy& policy, const TestFile& file, const TestCase& test,
                    Coverage* coverage = nullptr);

// The coverage report: every clause of every rule (`where`, `exclude`, each side of each `or`,
// `when`, each action or eligibility branch) with how often the tests exercised it.
struct ClauseCoverage {
  std::string kind;  // where, exclude, or, when, action, deny, allow
  std::string text;  // its source text
  std::string file;
  std::uint32_t line = 0;
  std::uint64_t count = 0;
};
struct RuleCoverageReport {
  std::string rule;
  std::vector<ClauseCoverage> clauses;
};
std::vector<RuleCoverageReport> coverage_report(const check::Policy& policy,
                                                const Coverage& coverage);
std::string render_coverage_text(const std::string& pack,
                                 const std::vector<RuleCoverageReport>& report);
std::string render_coverage_json(const std::string& pack,
                                 const std::vector<RuleCoverageReport>& report);

// One line for a decision, in the terms expectations use.
std::string describe(const runtime::Decision& decision, std::optional<Time> start);

}  // namespace bylaw::author
