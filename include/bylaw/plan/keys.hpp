// The key analysis (docs/scaling.md): for every rule, under which key each piece of state it
// reads or writes lives, and the chain of keyed steps the rule needs when state is partitioned
// by key. One process does not need it; scaling out over partitions does, and `bylaw plan`
// prints it so that an author sees what a rule costs there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/plan/plan.hpp"

namespace bylaw::plan {

enum class StateKind : std::uint8_t {
  latest,   // a `latest` index
  window,   // an aggregate window
  hold,     // a hold (with its appeal and expiry timers)
  history,  // remembered decisions, for `earlier`
  timer,    // an author's timer, or the timer that set the rule off
  decision  // a decision some rule reacts to (`on decision`), made under its subject
};
const char* state_kind_name(StateKind kind);

// One read or write of keyed state by a rule, in the order the rule evaluates them.
struct StateAccess {
  StateKind kind = StateKind::latest;
  bool writes = false;
  std::string what;  // "latest contract.closed as c", "hold proposals_blocked", ...
  // The key as the rule computes it ("f.freelancer"); for a composite `latest` key, its parts.
  std::vector<std::string> key;
  // The part of `key` the state is partitioned by (for a composite key, the part shared with
  // the rule's other accesses where there is one).
  std::string partition_key;
  // The let whose value this access works out, if any ("close").
  std::string binds;
  // A `latest` index: the type of the events it keeps, and the fields of theirs that make its
  // key ("c.contract").
  std::string event_type;
  std::vector<std::string> indexed_by;

  // The same, for the runtime (runtime/partitions.hpp): the expressions of `key` (null where the
  // key is the trigger's own subject: a timer or a decision), which of them partitions, and for a
  // `latest` its index in the rule's correlations.
  std::vector<const check::TExpr*> key_exprs;
  std::size_t partition_part = 0;
  std::int32_t correlation = -1;
};

// Consecutive accesses under one partition key: what one partition evaluates.
struct Step {
  std::string key;
  std::vector<std::size_t> accesses;  // into RuleKeys::accesses
  // For every step after the first: what the steps before read and hand on (the lets they
  // bound, the holds and histories they read), replayed where this step runs.
  std::vector<std::string> forwarded;
  // The key's expression, and whether it can be worked out from the trigger alone (no lookup
  // result in it): a router can then tell where the step runs before the rule is evaluated.
  const check::TExpr* key_expr = nullptr;
  bool from_trigger = false;
};

struct RuleKeys {
  std::uint32_t rule_index = 0;  // in the policy
  std::string rule;
  std::string trigger;       // "feedback.submitted as f"
  std::string trigger_type;  // "feedback.submitted"
  std::vector<StateAccess> accesses;
  std::vector<Step> steps;  // none for a rule that touches no keyed state
};

// An event type a `latest` index is fed from, and where: routed to that key's partition whether
// or not a rule is set off there.
struct IndexFeed {
  std::string event_type;
  std::string rule;
  std::string index;          // the let's name
  std::string partition_key;  // over the indexed event ("c.contract")
  // The same for the runtime: the rule and correlation, and the slot of the indexed event's
  // field that partitions it.
  std::uint32_t rule_index = 0;
  std::uint32_t correlation = 0;
  std::int32_t slot = 0;
};

struct KeyAnalysis {
  std::vector<RuleKeys> rules;  // in the policy's order; `off` rules left out
  std::vector<IndexFeed> feeds;
};

KeyAnalysis analyse_keys(const check::Policy& policy, const Plan& plan);

// Whether an expression reads a hold (held, appeal_at, placed_at, released_at).
bool reads_hold(const check::TExpr& expr);

}  // namespace bylaw::plan
