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
  // Every query reads only eligible (or only ineligible) answers: the others are not kept.
  bool filtered = false;
  bool eligible = false;
};

// Decisions of one kind and name that rules react to (`on decision`): the type they are raised as.
struct ReactionType {
  check::DecisionKind kind = check::DecisionKind::hold;
  std::string name;
  std::uint32_t type = 0;
};

struct Plan {
  // rules_by_type[type] = the rules one event (or timer) of that type runs, in the policy's order:
  // its own rules and the rules on decision that their decisions may set off. `off` rules are
  // absent.
  std::vector<std::vector<std::uint32_t>> rules_by_type;
  // The rules on decision that the release of an expiring hold may set off, in order.
  std::vector<std::uint32_t> expiry_rules;
  std::vector<ReactionType> reaction_types;
  // correlations_by_type[event type] = the `latest` indexes an event of that type may enter.
  std::vector<std::vector<CorrelationRef>> correlations_by_type;
  std::vector<HistoryNeed> histories;
  // history_of[rule][query] = the index into `histories` that rule's `earlier` query reads.
  std::vector<std::vector<std::size_t>> history_of;
  std::optional<std::uint32_t> appeal_timer_type;  // the schema index of hold.appeal_due

  // The index into `histories` for decisions of this kind and name, if they are remembered.
  std::optional<std::size_t> history_index(check::DecisionKind kind, const std::string& name) const;
  // The type decisions of this kind and name are raised as, when some rule reacts to them.
  std::optional<std::uint32_t> reaction_type(check::DecisionKind kind,
                                             const std::string& name) const;
};

Plan make_plan(const check::Policy& policy);

}  // namespace bylaw::plan
