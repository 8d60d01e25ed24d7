// A checked policy: every name resolved, every expression typed, every parameter valued.
// This is what the later stages run; they never look at source text again, except to quote it
// in traces through the spans kept here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bylaw/check/schema.hpp"
#include "bylaw/check/types.hpp"
#include "bylaw/core/source.hpp"
#include "bylaw/core/value.hpp"
#include "bylaw/syntax/ast.hpp"

namespace bylaw::check {

using syntax::Op;

enum class Builtin : std::uint8_t {
  held,         // held(subject, hold) : bool
  appeal_at,    // appeal_at(subject, hold) : time?   the active hold's appeal_eligible_at
  placed_at,    // placed_at(subject, hold) : time?   when the active hold was placed
  released_at,  // released_at(subject, hold) : time? the last release of that hold
  exists,       // exists(decisions) : bool
  size,         // size(decisions) : int
};

const char* builtin_name(Builtin builtin);

// A typed expression. `text` is the source spelling, for traces.
struct TExpr {
  enum class Kind : std::uint8_t {
    literal,    // literal
    event,      // the rule's trigger event (a record)
    candidate,  // inside a `latest` condition: the earlier event being matched (a record)
    let,        // a let or an aggregate: index into Rule::lets
    param,      // index into Policy::params
    field,      // args[0] is a record; slot is the field (or an envelope slot)
    unary,      // op, args[0]
    binary,     // op, args[0], args[1] (one argument for is absent / is present)
    call,       // builtin, args
    list,       // a set literal: args are the elements
    defined,    // a use of a `def`: args[0] is its body, its event bound to the use's argument
  };

  Kind kind = Kind::literal;
  Op op = Op::none;
  Builtin builtin = Builtin::held;
  Type type;
  Value literal;
  std::uint32_t index = 0;
  std::int32_t slot = 0;
  std::vector<TExpr> args;
  Span span;
  std::string text;
};

// `let close = latest contract.closed as c where c.contract == f.contract and c.earned > 0`:
// the engine indexes every contract.closed passing `filter` by the key fields, and a rule looks
// the latest one up by the values of `probes` on its own event.
struct Correlation {
  int event_type = -1;
  std::string alias;
  std::vector<std::int32_t> key_slots;  // fields of the earlier event
  std::vector<TExpr> probes;            // the matching values, computed on the trigger event
  std::optional<TExpr> filter;          // over the candidate alone; evaluated when it is indexed
  // `within D`: only an event in (t - D, t] is found, and older ones are forgotten; none: every
  // event is kept for as long as the run lasts (check/state_bounds.cpp warns).
  std::optional<TExpr> within;
  Span span;
};

// `let recent = earlier alert mass_cancellation on c.client within 24h`
struct HistoryQuery {
  DecisionKind kind = DecisionKind::alert;
  std::optional<bool> eligible;  // `earlier eligible ...` / `earlier ineligible ...`
  std::string name;
  TExpr subject;
  std::optional<TExpr> within;  // a constant duration; none: the whole history
  std::optional<TExpr> after;   // time?: only decisions after it (when it is present)
  Span span;
};

enum class AggregateFunction : std::uint8_t { count, sum };

// `count distinct f.client per f.freelancer over 365d after released_at(...) as n`: over the
// rule's own counted events (trigger events that pass `where` and no `exclude`), per key, in the
// window (t - window, t], and after `after` when that is present.
struct Aggregate {
  AggregateFunction function = AggregateFunction::count;
  bool distinct = false;
  std::optional<TExpr> value;  // counted distinctly, or summed
  TExpr key;
  TExpr window;                // constant duration
  std::optional<TExpr> after;  // time?: re-applied each time the window is counted
  std::uint32_t let = 0;       // the rule's let that holds its value
  Span span;
};

struct Let {
  enum class Source : std::uint8_t { value, latest, earlier, aggregate };
  std::string name;
  Source source = Source::value;
  Type type;
  std::uint32_t index = 0;        // into the rule's correlations, histories or aggregates
  std::optional<TExpr> value;     // Source::value
  bool after_aggregates = false;  // depends on an aggregate: cannot be used by where or exclude
  Span span;
};

struct Exclusion {
  std::string reason;
  TExpr condition;
  Span span;
};

struct EvidenceRef {
  enum class Kind : std::uint8_t { trigger, let, first_per_value };
  Kind kind = Kind::trigger;
  std::uint32_t let = 0;  // Rule::lets index, for let and first_per_value
};

// "Clients on {n} contracts": literal text with typed placeholders.
struct MessagePart {
  std::string text;
  std::optional<TExpr> value;
};
struct Message {
  std::vector<MessagePart> parts;
  Span span;
};

struct EligibilityBranch {
  std::string reason;              // empty for allow
  std::optional<TExpr> condition;  // none: always applies
  std::optional<TExpr> until;      // eligible_at
  std::vector<EvidenceRef> evidence;
  Message message;
  Span span;
};

using syntax::ActionKind;

enum class AlertSeverity : std::uint8_t { low, medium, high };
const char* severity_name(AlertSeverity severity);

// What the account reads about a decision, from the pack's declarations: empty texts where
// nothing was declared (the account then reads the name in words).
struct Display {
  std::string name;                // the hold's, alert's or eligibility answer's display text
  std::vector<std::string> scope;  // each scope's display text, in the hold's scope order
  bool shown_to_account = true;    // false for alerts not declared `shown to account`
};

struct ActionDef {
  ActionKind kind = ActionKind::hold;
  TExpr name;  // string; a literal unless the rule names the hold by a value
  std::optional<std::string> static_name;
  TExpr subject;
  std::vector<std::string> scope;      // hold
  std::optional<TExpr> appeal_after;   // hold: duration; none: not appealable
  std::optional<TExpr> expires_after;  // hold: constant duration; none: no expiry
  Display display;
  AlertSeverity severity = AlertSeverity::low;  // alert
  std::optional<TExpr> until;                   // postpone: the new appeal_eligible_at;
                                                // schedule ... at: when the timer fires
  std::optional<TExpr> after;                   // schedule ... after: how long from now
  std::vector<EvidenceRef> evidence;
  std::optional<Message> message;
  std::vector<EligibilityBranch> denies;
  std::optional<EligibilityBranch> allow;
  Span span;
};

enum class Mode : std::uint8_t { enforce, shadow, off };
const char* mode_name(Mode mode);

struct Rule {
  std::string name;
  Span span;
  std::uint32_t first_line = 0;
  std::uint32_t last_line = 0;
  Mode mode = Mode::enforce;
  std::optional<std::uint32_t> trigger_type;  // none when the trigger did not check
  bool timer = false;
  // `on decision`: the rules whose decisions it reacts to, and whether expiring holds' releases
  // are among them (check/rule_order.cpp).
  bool on_decision = false;
  std::vector<std::uint32_t> reacts_to;
  bool reacts_to_expiry = false;
  std::string alias;
  std::vector<Let> lets;
  std::vector<Correlation> correlations;
  std::vector<HistoryQuery> histories;
  std::vector<Aggregate> aggregates;
  std::vector<TExpr> guards;  // where
  std::vector<Exclusion> exclusions;
  std::vector<TExpr> conditions;  // when
  std::vector<ActionDef> actions;
  std::vector<std::uint32_t> params_used;
};

// scope proposals "send proposals"
struct ScopeDef {
  std::string name;
  std::string display;
  Span span;
};

// A declared hold: what every `hold` action placing it takes unless the action overrides it.
struct HoldDef {
  std::string name;
  std::string display;
  std::vector<std::string> scope;
  std::optional<TExpr> appeal_after;   // constant duration; none: not appealable
  std::optional<TExpr> expires_after;  // constant duration; none: lasts until released
  Span span;
};

// A declared alert or eligibility answer.
struct OutcomeDef {
  DecisionKind kind = DecisionKind::alert;
  std::string name;
  std::string display;
  bool shown_to_account = false;
  Span span;
};

struct Param {
  std::string name;
  Type type;
  Value value;
  Span span;
  std::optional<Span> set_at;  // where the pack set it, if it did
};

struct Policy {
  std::string name;
  std::string version;
  std::string hash;  // SHA-256 of every loaded file's text, in load order
  std::shared_ptr<const SourceSet> sources;
  FileId pack_file = 0;
  Schema schema;
  std::vector<Param> params;
  std::vector<ScopeDef> scopes;
  std::vector<HoldDef> holds;
  std::vector<OutcomeDef> outcomes;
  std::vector<Rule> rules;
  // Every rule, in the order they run on one event: each after the rules whose decisions and
  // holds it reads, otherwise by name, so the order of `use` never changes a result.
  std::vector<std::uint32_t> order;

  std::optional<std::size_t> find_param(std::string_view name) const;
  std::optional<std::size_t> find_rule(std::string_view name) const;
  const ScopeDef* find_scope(std::string_view name) const;
  const HoldDef* find_hold(std::string_view name) const;
  const OutcomeDef* find_outcome(DecisionKind kind, std::string_view name) const;
  // The value of a constant expression (a literal or a parameter: windows, `within`).
  const Value& constant(const TExpr& expr) const {
    return expr.kind == TExpr::Kind::param ? params[expr.index].value : expr.literal;
  }
  // `name@version`, as decisions, traces and the audit store name the policy.
  std::string versioned_name() const { return name + "@" + version; }
};

}  // namespace bylaw::check
