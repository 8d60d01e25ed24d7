// Which clauses of each rule evaluation exercised, for `bylaw test --coverage`. Counted only
// when an engine is given a Coverage (never in `bylaw run`).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "bylaw/check/policy.hpp"

namespace bylaw::runtime {

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

struct Coverage {
  std::vector<RuleCoverage> rules;  // by rule index
  explicit Coverage(const check::Policy& policy);
};

}  // namespace bylaw::runtime
