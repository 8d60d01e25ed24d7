// The names visible inside one rule, in the order its clauses define them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"

namespace bylaw::check {

struct RuleScope {
  Rule& rule;
  // Inside a `latest ... as c where ...` condition: the earlier event being matched.
  std::optional<std::string> candidate_alias;
  int candidate_type = -1;
  // Set while checking where and exclude: they run before the aggregates exist.
  const char* forbid_aggregates_in = nullptr;

  explicit RuleScope(Rule& r) : rule(r) {}

  std::optional<std::uint32_t> find_let(const std::string& name) const;
  // Every name a rule could mean here, for "did you mean" suggestions.
  std::vector<std::string> visible_names(const Policy& policy) const;
};

// Whether `expr` refers to the candidate, or to the trigger event or a let (the "outer" side).
bool refers_to_candidate(const TExpr& expr);
bool refers_to_outer(const TExpr& expr);
// Whether `expr` uses a let that depends on an aggregate.
bool depends_on_aggregates(const TExpr& expr, const Rule& rule);

}  // namespace bylaw::check
