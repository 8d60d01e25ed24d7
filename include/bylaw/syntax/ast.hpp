// The syntax tree of rule and policy files, as written, with the span of every part.
// Names are not resolved and nothing is typed here: that is the checker's job.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bylaw/core/source.hpp"

namespace bylaw::syntax {

struct Ident {
  std::string name;
  Span span;
};

struct StringLit {
  std::string value;  // escapes resolved
  Span span;
};

// ---------------------------------------------------------------- expressions

enum class ExprKind {
  integer,   // 3             text = digits
  number,    // 2.5           text = literal
  string,    // "x"           text = value
  boolean,   // true          text = "true" / "false"
  duration,  // 30d, 6mo      text = literal
  name,    // min_clients   text = the name (a binding, parameter, or symbol such as an enum value)
  field,   // f.contract     text = field name, args[0] = the object
  set,     // {a, b}        args = the elements
  call,    // held(x, y)    text = function name, args = arguments
  unary,   // not x, -x     op, args[0]
  binary,  // a + b, a and b, a has any b, x is absent (args[1] empty for is)
};

enum class Op {
  none,
  logical_or,
  logical_and,
  logical_not,
  negate,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  add,
  sub,
  mul,
  div,
  in,       // x in S
  has,      // S has x
  has_any,  // S has any T
  has_all,  // S has all T
  is_absent,
  is_present,
};

const char* op_spelling(Op op);
// == != < <= > >=
bool is_comparison(Op op);
// < <= > >=
bool is_ordering(Op op);

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::name;
  Op op = Op::none;
  std::string text;
  std::vector<ExprPtr> args;
  Span span;
  std::uint32_t depth = 1;  // 1 for a leaf; bounded by kMaxExpressionDepth (parser.hpp)
};

// ---------------------------------------------------------------- declarations

struct UseDecl {
  std::vector<StringLit> paths;
  Span span;
};

struct TypeRef {
  Ident base;                        // id string int number bool time duration enum set
  std::vector<Ident> enum_values;    // for enum(...)
  std::optional<Ident> element;      // for set<...>
  bool optional = false;             // T?
  std::optional<ExprPtr> range_low;  // `in 1..5`
  std::optional<ExprPtr> range_high;
  Span span;
};

struct FieldDecl {
  bool is_private = false;  // `private name: type`: kept from the account's own view
  Ident name;
  TypeRef type;
  Span span;
};

struct EventDecl {
  Ident name;  // dotted: feedback.submitted
  std::vector<FieldDecl> fields;
  Span span;
};

struct ParamDecl {
  Ident name;
  TypeRef type;
  ExprPtr default_value;  // may be null
  Span span;
};

// ---------------------------------------------------------------- rules

struct Trigger {
  bool timer = false;  // on timer hold.appeal_due as h
  // on decision hold proposals_blocked as d: the decision's kind here, its name in `type`
  std::optional<Ident> decision_kind;
  Ident type;
  Ident alias;
  Span span;
};

// let close = latest contract.closed as c where c.contract == f.contract
struct LatestQuery {
  Ident type;
  Ident alias;
  ExprPtr condition;
  ExprPtr within;  // `... within 365d`: only events that recent; may be null
};

// let recent = earlier alert mass_cancellation on c.client within 24h
struct EarlierQuery {
  Ident kind;  // hold release alert eligibility eligible ineligible
  Ident name;
  ExprPtr subject;
  ExprPtr within;  // may be null: the whole history
  ExprPtr after;   // may be null: `after released_at(...)`, only decisions later than that
};

struct LetClause {
  Ident name;
  std::variant<ExprPtr, LatestQuery, EarlierQuery> value;
  Span span;
};

struct WhereClause {
  ExprPtr condition;
  Span span;
};

struct ExcludeClause {
  StringLit reason;
  ExprPtr condition;
  Span span;
};

// count distinct f.client per f.freelancer over negative_window after released(...) as n
struct AggregateClause {
  Ident function;  // count or sum
  bool distinct = false;
  ExprPtr value;   // what is counted distinctly, or summed; null for a plain count
  ExprPtr key;     // per
  ExprPtr window;  // over
  ExprPtr after;   // may be null
  Ident name;
  Span span;
};

struct WhenClause {
  ExprPtr condition;
  Span span;
};

using Clause = std::variant<LetClause, WhereClause, ExcludeClause, AggregateClause, WhenClause>;

struct EvidenceItem {
  bool first_per_value = false;  // `first of n`: the earliest counted event per distinct value
  Ident name;
};

struct DenyBranch {
  Ident reason;
  ExprPtr condition;  // null: deny unconditionally
  ExprPtr until;      // eligible_at; may be null
  std::vector<EvidenceItem> evidence;
  StringLit message;
  Span span;
};

struct AllowBranch {
  std::vector<EvidenceItem> evidence;
  StringLit message;
  Span span;
};

// schedule and cancel set and clear the author's own timers; they make no decision.
enum class ActionKind { hold, release, alert, eligibility, postpone, schedule, cancel };

// `appeal after 6mo` or `not appealable`: whether and when a hold can be appealed.
struct AppealSpec {
  bool appealable = true;
  ExprPtr after;  // appealable only
  Span span;
};

struct Action {
  ActionKind kind = ActionKind::hold;
  ExprPtr name;     // a name expression: a bare name for hold, alert, eligibility
  ExprPtr subject;  // on ...
  std::optional<std::vector<Ident>> scope;  // hold: overrides the declaration's
  std::optional<AppealSpec> appeal;         // hold: overrides the declaration's
  ExprPtr expires_after;                    // hold: overrides the declaration's; may be null
  std::optional<Ident> severity;            // alert
  ExprPtr until;                            // postpone
  ExprPtr after;                            // schedule ... after <duration>
  ExprPtr at;                               // schedule ... at <time>
  std::vector<EvidenceItem> evidence;
  std::optional<StringLit> message;
  std::vector<DenyBranch> denies;    // eligibility: the first deny whose condition holds decides
  std::optional<AllowBranch> allow;  // eligibility: when no deny applies
  Span span;
};

struct RuleDecl {
  Ident name;
  Trigger trigger;
  std::vector<Clause> clauses;
  std::vector<Action> actions;
  Span span;
};

// ---------------------------------------------------------------- named predicates and values

// def negative_feedback(f: feedback.submitted): bool = f.direction == client_to_freelancer and ...
// def long_window: duration = negative_window + 30d
// def late(f: feedback.submitted, close: contract.closed): one event a def is about.
struct DefParam {
  Ident alias;            // how `body` names it
  Ident type;             // its event type
  bool optional = false;  // `close: contract.closed?`: may be absent (a `latest` let's event)
};

struct DefDecl {
  Ident name;
  std::vector<DefParam> params;  // the events it is about; none for a value
  Ident result;                  // the type of `body`: bool, int, number, ...
  ExprPtr body;
  Span span;
};

// ---------------------------------------------------------------- declared outcomes

// scope proposals "send proposals": a word a hold's scope may use, with what the account reads.
struct ScopeDecl {
  Ident name;
  StringLit display;
  Span span;
};

// hold proposals_blocked { display "..." scope [a, b] appeal after 6mo expires after 12mo }
struct HoldDecl {
  Ident name;
  std::optional<StringLit> display;
  std::vector<Ident> scope;
  AppealSpec appeal;
  ExprPtr expires_after;  // may be null: the hold lasts until released
  Span span;
};

// alert feedback_manipulation { display "..." shown to account }, eligibility dispute { ... }
struct OutcomeDecl {
  ActionKind kind = ActionKind::alert;  // alert or eligibility
  Ident name;
  std::optional<StringLit> display;
  bool shown_to_account = false;  // alerts: staff only unless this is set
  Span span;
};

// ---------------------------------------------------------------- policy packs

struct SetItem {
  Ident name;
  ExprPtr value;
};

struct ModeItem {
  Ident rule;
  Ident mode;  // enforce shadow off
};

struct PolicyDecl {
  Ident name;
  StringLit version;
  std::vector<UseDecl> uses;
  std::vector<SetItem> sets;
  std::vector<ModeItem> modes;
  Span span;
};

struct File {
  FileId id = 0;
  std::vector<UseDecl> uses;
  std::vector<EventDecl> events;
  std::vector<ParamDecl> params;
  std::vector<RuleDecl> rules;
  std::vector<DefDecl> defs;
  std::vector<ScopeDecl> scopes;
  std::vector<HoldDecl> holds;
  std::vector<OutcomeDecl> outcomes;
  std::vector<PolicyDecl> policies;
};

}  // namespace bylaw::syntax
