// Conditions that can never hold, whatever the event: two comparisons of one value that no value
// meets (`x < 50 and x > 100`, `role == client and role == freelancer`), `S has v and not S has v`,
// `x is absent` with a comparison of x. Reasoned over intervals of ints, numbers, durations and
// times, and equalities of anything; used for "can never fire" and "a branch after a wider one".
#pragma once

#include <optional>
#include <string>

#include "bylaw/check/policy.hpp"

namespace bylaw::check {

// Why `condition` can never hold ("`a` contradicts `b`"), or none when it may.
std::optional<std::string> contradiction(const TExpr& condition, const Policy& policy);

// Whether `later` can never hold once `earlier` did not: an eligibility branch with `later` after
// one with `earlier` is never reached. Only for an `earlier` that is one comparison.
bool covered_by(const TExpr& later, const TExpr& earlier, const Policy& policy);

// Whether two rules on the same event type can never both pass their `where` guards on one event
// (`r.outcome == granted` and `r.outcome == denied`): only guards on the event itself count.
bool never_both(const std::vector<TExpr>& guards, const std::vector<TExpr>& other_guards,
                const Policy& policy);

}  // namespace bylaw::check
