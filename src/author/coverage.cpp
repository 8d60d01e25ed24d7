#include "bylaw/author/coverage.hpp"

namespace bylaw::author {

Coverage::Coverage(const check::Policy& policy) : rules(policy.rules.size()) {
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const check::Rule& rule = policy.rules[r];
    RuleCoverage& c = rules[r];
    c.guards.assign(rule.guards.size(), 0);
    c.exclusions.assign(rule.exclusions.size(), 0);
    c.conditions.assign(rule.conditions.size(), 0);
    for (const auto& action : rule.actions) {
      std::size_t outcomes = action.kind == check::ActionKind::eligibility
                                 ? action.denies.size() + (action.allow ? 1 : 0)
                                 : 1;
      c.outcomes.emplace_back(outcomes, 0);
    }
  }
}

}  // namespace bylaw::author
