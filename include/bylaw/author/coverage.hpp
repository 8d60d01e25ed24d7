// Which clauses of each rule evaluation exercised, for `bylaw test --coverage`: an observer the
// engine reports to (runtime/observer.hpp), never given to it by `bylaw run`.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/runtime/observer.hpp"

namespace bylaw::author {

struct RuleCoverage {
  std::vector<std::uint64_t> guards;      // times each `where` held
  std::vector<std::uint64_t> exclusions;  // times each `exclude` left the event out
  std::vector<std::uint64_t> conditions;  // times each `when` held
  // Per action, times each outcome was taken: for an eligibility, each `deny` in order, then
  // `allow`; for any other action, the one outcome (it acted).
  std::vector<std::vector<std::uint64_t>> outcomes;
  // Per `or` (by where it starts in its file), times each side made it true: the left, or the
  // right when the left did not.
  std::map<std::pair<FileId, std::uint32_t>, std::array<std::uint64_t, 2>> or_sides;
};

class Coverage final : public runtime::ClauseObserver {
 public:
  explicit Coverage(const check::Policy& policy);

  std::vector<RuleCoverage> rules;  // by rule index

  void guard_held(std::uint32_t rule, std::size_t guard) override { ++rules[rule].guards[guard]; }
  void excluded(std::uint32_t rule, std::size_t exclusion) override {
    ++rules[rule].exclusions[exclusion];
  }
  void condition_held(std::uint32_t rule, std::size_t condition) override {
    ++rules[rule].conditions[condition];
  }
  void outcome_taken(std::uint32_t rule, std::size_t action, std::size_t outcome) override {
    ++rules[rule].outcomes[action][outcome];
  }
  void or_side_taken(std::uint32_t rule, const Span& where, int side) override {
    ++rules[rule].or_sides[{where.file, where.begin}][side];
  }
};

}  // namespace bylaw::author
