// A decision and the trace that explains it. Both are plain data: the runtime fills them from
// the values it used; io/ encodes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/time.hpp"

namespace bylaw::runtime {

// An evaluated expression: its source text, the value it had (as the language shows values),
// and the values of its operands. `evaluated` is false for a branch that `and`/`or` skipped.
struct ExprTrace {
  std::string text;
  std::string value;
  bool evaluated = true;
  // For an ordered comparison of times, durations or numbers: left minus right, signed
  // (-19d23h: the left side is 19d23h before the right). How far a value passed or missed its
  // bound.
  std::string difference;
  std::vector<ExprTrace> operands;
};

struct ConditionTrace {
  std::string clause;  // where, exclude, when, deny, allow
  std::string reason;  // exclude: its reason; deny: its reason code
  bool result = false;
  ExprTrace expr;
};

struct CorrelationTrace {
  std::string name;
  std::string event_type;
  std::string condition;
  std::optional<std::string> found_id;
  std::optional<Time> found_time;
  std::vector<std::pair<std::string, std::string>> found_fields;  // name, value
};

// A field of an aggregated event that the rule's `where` or `exclude` read: why it counted or
// was left out. Fields `and`/`or` did not need are not read, so a private field shows up only
// when it took part in the outcome.
struct FieldRead {
  std::string name;
  std::string value;
  bool is_private = false;  // declared `private` in the schema
};

struct CountedEvent {
  std::string id;
  Time time;
  std::string value;  // what count distinct counts, or what sum adds; empty for a plain count
  std::vector<FieldRead> fields;
};

struct LeftOutEvent {
  std::string id;
  Time time;
  std::string reason;
  std::vector<FieldRead> fields;
};

struct AggregateTrace {
  std::string name;
  std::string function;  // count, count distinct, sum
  std::string of;        // the counted or summed expression; empty for a plain count
  std::string per;       // the key expression
  std::string key;       // its value for this decision
  std::string window;    // the window's duration, as written in the pack (30d)
  Time from;             // exclusive
  Time to;               // inclusive
  std::optional<Time> after;
  std::vector<CountedEvent> counted;
  std::vector<LeftOutEvent> left_out;
  std::string result;
};

// What would have kept a threshold on an aggregate from being met.
struct MarginTrace {
  std::string aggregate;
  std::string condition;             // the comparison, as written: clients >= min_clients
  std::string result;                // the aggregate's value
  std::string threshold;             // the other side's value
  std::vector<std::string> without;  // the fewest counted events (latest first) whose absence...
  std::string would_be;              // ...would leave the aggregate at this value
  std::optional<Time> earliest_leaves_at;  // when the earliest counted event leaves the window
  std::string then_value;                  // the aggregate's value once it has left
  std::string statement;                   // the two facts in words
};

struct ParamTrace {
  std::string name;
  std::string value;
};

// The engine's timer that fired a rule: its type and fields (hold.appeal_due: hold, subject).
struct TimerTrace {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;
};

struct Trace {
  std::optional<TimerTrace> timer;  // set when a timer, not an event, fired the rule
  // Set when a decision fired the rule (`on decision`): "hold proposals_blocked", with the
  // decision's id and fields.
  std::optional<TimerTrace> decision;
  std::string rule;
  std::string file;
  std::uint32_t first_line = 0;
  std::uint32_t last_line = 0;
  std::string policy;  // name@version
  std::string policy_hash;
  std::string mode;
  std::vector<ParamTrace> parameters;
  std::vector<CorrelationTrace> correlations;
  std::vector<ConditionTrace> conditions;
  std::vector<AggregateTrace> aggregates;
  std::vector<MarginTrace> margins;
  std::string summary;  // the action's message, for the affected account
  // The pack's words for what was decided (its declarations), for the account's view; whether
  // the account gets a view at all (alerts are for staff unless declared `shown to account`).
  check::Display display;
};

struct Decision {
  check::DecisionKind kind = check::DecisionKind::alert;
  std::string id;
  std::string name;
  std::string subject;
  Time time;
  std::optional<std::string> trigger;  // none: fired by a timer
  std::string rule;
  std::string policy;  // name@version
  std::string policy_hash;
  std::vector<std::string> evidence;
  bool shadow = false;  // made by a rule in shadow mode: never emitted

  // hold
  std::optional<Time> appeal_eligible_at;  // none: not appealable
  std::vector<std::string> scope;
  std::optional<Time> expires_at;  // an expiring hold: when a release ends it
  // alert
  check::AlertSeverity severity = check::AlertSeverity::low;
  // eligibility
  bool eligible = false;
  std::string reason;
  std::optional<Time> eligible_at;

  Trace explanation;
};

}  // namespace bylaw::runtime
