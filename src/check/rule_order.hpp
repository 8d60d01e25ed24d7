// The order rules run in on one event, from what they read and write: a rule runs after every
// rule whose decisions or holds it reads (`held`, `earlier`, `on decision`), and rules with no
// such tie run by name. The order of `use`, and of rules in a file, never changes a result; rules
// that read each other's writes in a cycle are an error naming them.
#pragma once

#include <string>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/diagnostics.hpp"

namespace bylaw::check {

// Whether `rule` can make `kind` decisions named `name` (a release by value may lift any hold;
// the engine releases an expiring hold for the rule that placed it).
bool makes(const Rule& rule, DecisionKind kind, const std::string& name);

// Each `on decision` rule's sources (Rule::reacts_to, reacts_to_expiry); an error for a decision
// no rule makes, a warning when only rules that are off make it.
void link_reactions(Policy& policy, Diagnostics& diagnostics);

// Policy::order; an error for each cycle of rules that read each other's writes on one event.
void order_rules(Policy& policy, Diagnostics& diagnostics);

}  // namespace bylaw::check
