// The plan: what the runtime needs to know, ahead of time, to run a checked policy fast.
// Which rules an event type wakes (and in what order), which correlation indexes an event feeds,
// which decisions must be remembered for `earlier` queries and for how long.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bylaw/check/policy.hpp"

namespace bylaw::plan {

// One `latest` of one rule: the runtime keeps an index of matching events for it.
struct CorrelationRef {
  std::uint32_t rule = 0;
  std::uint32_t correlation = 0;
};

// Decisions of one kind and name that some `earlier` asks about; kept for `horizon` (none: for
// as long as the run lasts, because some query looks at the whole history).
struct HistoryNeed {
  check::DecisionKind kind = check::DecisionKind::alert;
  std::string name;
  std::optional<Duration> horizon;
};

struct Plan {
  // rules_by_type[event type] = the rules it wakes, in declaration order; `off` rules are absent.
  std::vector<std::vector<std::uint32_t>> rules_by_type;
  // correlations_by_type[event type] = the `latest` indexes an event of that type may enter.
  std::vector<std::vector<CorrelationRef>> correlations_by_type;
  std::vector<HistoryNeed> histories;
  // history_of[rule][query] = the index into `histories` that rule's `earlier` query reads.
  std::vector<std::vector<std::size_t>> history_of;
  std::optional<std::uint32_t> appeal_timer_type;  // the schema index of hold.appeal_due
  bool has_timer_rules = false;

  // The index into `histories` for decisions of this kind and name, if they are remembered.
  std::optional<std::size_t> history_index(check::DecisionKind kind, const std::string& name) const;
};

Plan make_plan(const check::Policy& policy);

}  // namespace bylaw::plan
