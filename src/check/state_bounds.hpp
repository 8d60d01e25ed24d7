// State a pack keeps without bound: `latest` lookups without `within` keep one event per key for
// as long as the run lasts, and `earlier` without `within` every decision. Memory then grows with
// history rather than with the live population; the checker warns where, with an estimate per
// key, and names the clauses a forgotten entry would change.
#pragma once

#include "bylaw/check/policy.hpp"
#include "bylaw/core/diagnostics.hpp"

namespace bylaw::check {

void warn_unbounded_state(const Policy& policy, Diagnostics& diagnostics);

}  // namespace bylaw::check
