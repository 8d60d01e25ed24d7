#include "rule_checker.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "contradictions.hpp"
#include "declarations.hpp"
#include "expr_checker.hpp"
#include "scope.hpp"

namespace bylaw::check {

namespace {

// Flattens `a and (b and c)` into its conjuncts.
// A def is read as its body: `latest ... where flag_of(m, f)` finds its keys inside the def.
void conjuncts(TExpr expr, std::vector<TExpr>& out) {
  if (expr.kind == TExpr::Kind::binary && expr.op == Op::logical_and) {
    conjuncts(std::move(expr.args[0]), out);
    conjuncts(std::move(expr.args[1]), out);
    return;
  }
  if (expr.kind == TExpr::Kind::defined) {
    conjuncts(std::move(expr.args[0]), out);
    return;
  }
  out.push_back(std::move(expr));
}

TExpr conjunction(std::vector<TExpr> parts) {
  TExpr out = std::move(parts.front());
  for (std::size_t i = 1; i < parts.size(); ++i) {
    TExpr both;
    both.kind = TExpr::Kind::binary;
    both.op = Op::logical_and;
    both.type = Type::of(TypeKind::boolean);
    both.span = Span{out.span.file, out.span.begin, parts[i].span.end};
    both.text = out.text + " and " + parts[i].text;
    both.args.push_back(std::move(out));
    both.args.push_back(std::move(parts[i]));
    out = std::move(both);
  }
  return out;
}

bool is_placeholder_path(std::string_view text) {
  if (text.empty()) return false;
  bool start = true;
  for (char c : text) {
    if (c == '.') {
      if (start) return false;
      start = true;
      continue;
    }
    bool letter = std::isalpha(static_cast<unsigned char>(c)) || c == '_';
    if (start && !letter) return false;
    if (!letter && !std::isdigit(static_cast<unsigned char>(c))) return false;
    start = false;
  }
  return !start;
}

class RuleChecker {
 public:
  RuleChecker(const syntax::RuleDecl& decl, CheckContext& context)
      : decl_(decl), context_(context), scope_(rule_), exprs_(context, scope_) {}

  Rule run() {
    rule_.name = decl_.name.name;
    rule_.span = decl_.span;
    const SourceFile& file = context_.sources.file(decl_.span.file);
    rule_.first_line = file.position(decl_.span.begin).line;
    rule_.last_line = file.position(decl_.span.end).line;
    check_trigger();
    for (const auto& clause : decl_.clauses) {
      std::visit([this](const auto& c) { check_clause(c); }, clause);
    }
    for (const auto& action : decl_.actions) rule_.actions.push_back(check_action(action));
    warn_if_never_fires();
    return std::move(rule_);
  }

 private:
  // ------------------------------------------------------------ trigger and names

  void check_trigger() {
    const syntax::Trigger& trigger = decl_.trigger;
    const Schema& schema = context_.policy.schema;
    rule_.timer = trigger.timer;
    rule_.on_decision = trigger.decision_kind.has_value();
    int type = schema.find(trigger.type.name);
    if (trigger.decision_kind) {
      type = -1;  // an unknown kind is reported where the type is made (policy_checker)
      for (std::size_t i = 0; i < schema.types.size(); ++i) {
        const EventTypeDef& t = schema.types[i];
        if (t.decision && decision_kind_name(*t.decision) == trigger.decision_kind->name &&
            t.decision_name == trigger.type.name) {
          type = static_cast<int>(i);
        }
      }
    } else if (trigger.timer) {
      if (type < 0 || !schema.types[static_cast<std::size_t>(type)].timer) {
        std::vector<std::string> timers;
        for (const auto& t : schema.types) {
          if (t.timer) timers.push_back(t.name);
        }
        std::string expected = suggestion(trigger.type.name, timers);
        context_.diagnostics.error(
            trigger.type.span, fmt::format("unknown timer '{}'", trigger.type.name),
            expected.empty() ? one_of(timers) + " (a timer a rule sets with `schedule`)"
                             : expected);
        type = -1;
      }
    } else if (type >= 0 && schema.types[static_cast<std::size_t>(type)].timer) {
      context_.diagnostics.error(trigger.type.span,
                                 fmt::format("'{}' is a timer, not an event", trigger.type.name),
                                 fmt::format("on timer {}", trigger.type.name));
      type = -1;
    } else if (type < 0) {
      report_unknown_event_type(trigger.type);
    }
    if (type >= 0) rule_.trigger_type = static_cast<std::uint32_t>(type);
    rule_.alias = trigger.alias.name;
    if (context_.policy.find_param(rule_.alias)) {
      context_.diagnostics.error(
          trigger.alias.span,
          fmt::format("'{}' is already defined: it is a parameter", rule_.alias),
          "another name for the event");
    }
  }

  void report_unknown_event_type(const syntax::Ident& name) {
    std::vector<std::string> names;
    for (const auto& t : context_.policy.schema.types) {
      if (!t.timer) names.push_back(t.name);
    }
    std::string expected = suggestion(name.name, names);
    context_.diagnostics.error(name.span, fmt::format("unknown event type '{}'", name.name),
                               expected.empty() ? one_of(names) : expected);
  }

  // Adds a let unless its name is taken; returns its index.
  std::uint32_t define(Let defined, const syntax::Ident& name) {
    std::string taken;
    if (name.name == rule_.alias) {
      taken = "it is the event's alias";
    } else if (scope_.find_let(name.name)) {
      taken = "by an earlier let or aggregate of this rule";
    } else if (context_.policy.find_param(name.name)) {
      taken = "it is a parameter";
    }
    if (!taken.empty()) {
      context_.diagnostics.error(name.span,
                                 fmt::format("'{}' is already defined: {}", name.name, taken),
                                 "a name not used yet in this rule");
    }
    defined.name = name.name;
    defined.span = name.span;
    rule_.lets.push_back(std::move(defined));
    return static_cast<std::uint32_t>(rule_.lets.size() - 1);
  }

  // ------------------------------------------------------------ clauses

  void check_clause(const syntax::LetClause& let) {
    if (const auto* latest = std::get_if<syntax::LatestQuery>(&let.value)) {
      check_latest(let, *latest);
    } else if (const auto* earlier = std::get_if<syntax::EarlierQuery>(&let.value)) {
      check_earlier(let, *earlier);
    } else {
      TExpr value = exprs_.check(*std::get<syntax::ExprPtr>(let.value));
      Let defined;
      defined.source = Let::Source::value;
      defined.type = value.type;
      defined.after_aggregates = depends_on_aggregates(value, rule_);
      defined.value = std::move(value);
      define(std::move(defined), let.name);
    }
  }

  void check_latest(const syntax::LetClause& let, const syntax::LatestQuery& query) {
    const Schema& schema = context_.policy.schema;
    Correlation correlation;
    correlation.alias = query.alias.name;
    correlation.span = let.span;
    correlation.event_type = schema.find(query.type.name);
    if (correlation.event_type >= 0 &&
        schema.types[static_cast<std::size_t>(correlation.event_type)].timer) {
      context_.diagnostics.error(
          query.type.span,
          fmt::format("'{}' is a timer: `latest` looks up events", query.type.name),
          "an event type");
      correlation.event_type = -1;
    } else if (correlation.event_type < 0) {
      report_unknown_event_type(query.type);
    }
    if (query.alias.name == rule_.alias || scope_.find_let(query.alias.name)) {
      context_.diagnostics.error(
          query.alias.span, fmt::format("'{}' is already defined in this rule", query.alias.name),
          "another name for the earlier event");
    }
    bool known = correlation.event_type >= 0;
    if (known) {
      scope_.candidate_alias = query.alias.name;
      scope_.candidate_type = correlation.event_type;
      TExpr condition = exprs_.check_condition(*query.condition, "a `latest` condition");
      scope_.candidate_alias.reset();
      split_correlation(std::move(condition), correlation, let);
    }
    if (query.within) {
      correlation.within = exprs_.check_horizon(*query.within, "the `within` of `latest`");
    }
    Let defined;
    defined.source = Let::Source::latest;
    defined.type = known ? Type::of(TypeKind::record, true) : Type::of(TypeKind::error);
    defined.type.record = correlation.event_type;
    defined.index = static_cast<std::uint32_t>(rule_.correlations.size());
    rule_.correlations.push_back(std::move(correlation));
    define(std::move(defined), let.name);
  }

  // Splits a `latest` condition into lookup keys (candidate field == outer value) and a filter
  // on the candidate alone, which the engine applies when it indexes the earlier event.
  void split_correlation(TExpr condition, Correlation& correlation, const syntax::LetClause& let) {
    if (condition.type.is_error()) return;
    std::vector<TExpr> parts;
    conjuncts(std::move(condition), parts);
    std::vector<TExpr> filters;
    for (auto& part : parts) {
      if (part.kind == TExpr::Kind::binary && part.op == Op::eq) {
        for (int side = 0; side < 2; ++side) {
          TExpr& field = part.args[static_cast<std::size_t>(side)];
          TExpr& probe = part.args[static_cast<std::size_t>(1 - side)];
          if (field.kind == TExpr::Kind::field && field.args[0].kind == TExpr::Kind::candidate &&
              !refers_to_candidate(probe) && refers_to_outer(probe)) {
            correlation.key_slots.push_back(field.slot);
            correlation.probes.push_back(std::move(probe));
            goto next_part;
          }
        }
      }
      if (refers_to_outer(part)) {
        context_.diagnostics.error(
            part.span, fmt::format("`{}` cannot be part of a `latest` condition", part.text),
            fmt::format("either {}.<field> == <a value of the triggering event>, or a test of "
                        "'{}' alone",
                        correlation.alias, correlation.alias));
        continue;
      }
      filters.push_back(std::move(part));
    next_part:;
    }
    if (correlation.key_slots.empty()) {
      context_.diagnostics.error(
          let.span, fmt::format("`latest` needs a key to find '{}' by", correlation.alias),
          fmt::format("at least one `{}.<field> == <a value of the triggering event>`",
                      correlation.alias));
    }
    if (!filters.empty()) correlation.filter = conjunction(std::move(filters));
  }

  void check_earlier(const syntax::LetClause& let, const syntax::EarlierQuery& query) {
    HistoryQuery history;
    history.span = let.span;
    history.name = query.name.name;
    const std::string& kind = query.kind.name;
    const std::set<std::string>* produced = &context_.eligibility_names;
    if (kind == "hold" || kind == "release") {
      history.kind = kind == "hold" ? DecisionKind::hold : DecisionKind::release;
      produced = &context_.hold_names;
    } else if (kind == "alert") {
      history.kind = DecisionKind::alert;
      produced = &context_.alert_names;
    } else if (kind == "eligibility" || kind == "eligible" || kind == "ineligible") {
      history.kind = DecisionKind::eligibility;
      if (kind != "eligibility") history.eligible = kind == "eligible";
    } else {
      context_.diagnostics.error(query.kind.span, fmt::format("unknown decision kind '{}'", kind),
                                 "hold, release, alert, eligibility, eligible or ineligible");
      produced = nullptr;
    }
    if (produced && !produced->count(history.name)) {
      std::vector<std::string> names(produced->begin(), produced->end());
      context_.diagnostics.error(
          query.name.span,
          fmt::format("no rule makes {} '{}'",
                      kind == "eligible" || kind == "ineligible" ? "eligibility" : kind,
                      history.name),
          names.empty() ? std::string("the name of a decision some rule makes") : one_of(names));
    }
    history.subject = exprs_.check_kind(*query.subject, TypeKind::id, "the subject of `earlier`");
    if (query.within) {
      history.within = exprs_.check_constant_duration(*query.within, "the `within` of `earlier`");
    }
    if (query.after) {
      history.after = exprs_.check_kind(*query.after, TypeKind::time, "the `after` of `earlier`");
    }
    Let defined;
    defined.source = Let::Source::earlier;
    defined.type = Type::of(TypeKind::decisions);
    defined.index = static_cast<std::uint32_t>(rule_.histories.size());
    defined.after_aggregates = depends_on_aggregates(history.subject, rule_) ||
                               (history.after && depends_on_aggregates(*history.after, rule_));
    rule_.histories.push_back(std::move(history));
    define(std::move(defined), let.name);
  }

  void check_clause(const syntax::WhereClause& where) {
    scope_.forbid_aggregates_in = "where";
    rule_.guards.push_back(exprs_.check_condition(*where.condition, "`where`"));
    scope_.forbid_aggregates_in = nullptr;
  }

  void check_clause(const syntax::ExcludeClause& exclude) {
    scope_.forbid_aggregates_in = "exclude";
    Exclusion exclusion;
    exclusion.reason = exclude.reason.value;
    exclusion.span = exclude.span;
    if (exclusion.reason.empty()) {
      context_.diagnostics.error(
          exclude.reason.span, "an exclusion needs a reason",
          "a short reason an auditor reads, such as \"zero-dollar contract\"");
    }
    exclusion.condition = exprs_.check_condition(*exclude.condition, "`exclude ... when`");
    rule_.exclusions.push_back(std::move(exclusion));
    scope_.forbid_aggregates_in = nullptr;
  }

  void check_clause(const syntax::AggregateClause& clause) {
    const char* role = clause.function.name == "sum" ? "sum" : "count";
    scope_.forbid_aggregates_in = role;
    Aggregate aggregate;
    aggregate.span = clause.span;
    aggregate.function =
        clause.function.name == "sum" ? AggregateFunction::sum : AggregateFunction::count;
    aggregate.distinct = clause.distinct;
    Type result = Type::of(TypeKind::integer);
    if (rule_.timer) {
      context_.diagnostics.error(clause.function.span,
                                 "a timer rule cannot aggregate: timers are not counted events",
                                 "an aggregate in a rule that reacts to an event");
    }
    if (clause.value) {
      TExpr value = exprs_.check(*clause.value);
      if (aggregate.function == AggregateFunction::sum) {
        if (!value.type.is_error() && !value.type.is_numeric()) {
          context_.diagnostics.error(
              clause.value->span,
              fmt::format("type mismatch: sum needs a number, but '{}' is {}", value.text,
                          context_.type_name(value.type)),
              "a number or int field");
        }
        if (value.type.kind == TypeKind::number) result = Type::of(TypeKind::number);
      } else {
        check_scalar(value, *clause.value, "what `count distinct` counts");
      }
      aggregate.value = std::move(value);
    }
    exprs_.set_field_note(": an aggregate cannot be keyed by a field the event lacks");
    aggregate.key = exprs_.check(*clause.key);
    exprs_.set_field_note("");
    check_scalar(aggregate.key, *clause.key, "an aggregate key");
    aggregate.window = exprs_.check_constant_duration(*clause.window, "the window of an aggregate");
    if (clause.after) {
      aggregate.after = exprs_.check_kind(*clause.after, TypeKind::time, "`after`");
    }
    scope_.forbid_aggregates_in = nullptr;
    Let defined;
    defined.source = Let::Source::aggregate;
    defined.type = result;
    defined.index = static_cast<std::uint32_t>(rule_.aggregates.size());
    defined.after_aggregates = true;
    rule_.aggregates.push_back(std::move(aggregate));
    rule_.aggregates.back().let = define(std::move(defined), clause.name);
  }

  // Keys and distinct values must be plain values that are always there.
  void check_scalar(const TExpr& value, const syntax::Expr& syntax, const char* role) {
    if (value.type.is_error()) return;
    bool scalar = value.type.is_text() || value.type.kind == TypeKind::integer ||
                  value.type.kind == TypeKind::enumeration || value.type.kind == TypeKind::boolean;
    if (!scalar) {
      context_.diagnostics.error(
          syntax.span,
          fmt::format("{} must be an id, string, int, bool or enum, but '{}' is {}", role,
                      value.text, context_.type_name(value.type)),
          "a field such as f.freelancer");
    } else if (value.type.optional) {
      context_.diagnostics.error(
          syntax.span,
          fmt::format("{} must always be there, but '{}' is optional", role, value.text),
          "a required field");
    }
  }

  void check_clause(const syntax::WhenClause& when) {
    rule_.conditions.push_back(exprs_.check_condition(*when.condition, "`when`"));
  }

  // ------------------------------------------------------------ actions

  ActionDef check_action(const syntax::Action& action) {
    ActionDef out;
    out.kind = action.kind;
    out.span = action.span;
    switch (action.kind) {
      case ActionKind::hold:
      case ActionKind::alert:
      case ActionKind::eligibility:
      case ActionKind::schedule:
        out.static_name = action.name->text;
        out.name = literal_string(*action.name);
        break;
      case ActionKind::release:
      case ActionKind::postpone:
        out.name = exprs_.check_hold_name(
            *action.name, action.kind == ActionKind::release ? "release" : "postpone");
        if (out.name.kind == TExpr::Kind::literal && !out.name.type.is_error()) {
          out.static_name = std::get<std::string>(out.name.literal);
        }
        break;
      case ActionKind::cancel:
        out.static_name = action.name->text;
        out.name = literal_string(*action.name);
        if (!context_.timer_names.count(action.name->text)) {
          std::vector<std::string> timers(context_.timer_names.begin(), context_.timer_names.end());
          std::string expected = suggestion(action.name->text, timers);
          context_.diagnostics.error(
              action.name->span,
              fmt::format("cancel names timer '{}', which no rule schedules", action.name->text),
              expected.empty() ? "a timer some rule sets with `schedule <name> on ...`" : expected);
        }
        break;
    }
    out.subject = exprs_.check_kind(*action.subject, TypeKind::id, "the subject of an action");
    if (action.kind == ActionKind::hold) check_hold(action, out);
    set_display(out);
    bool seen_by_subject = out.display.shown_to_account;
    if (action.kind == ActionKind::alert && action.severity) {
      const std::string& s = action.severity->name;
      if (s == "low") {
        out.severity = AlertSeverity::low;
      } else if (s == "medium") {
        out.severity = AlertSeverity::medium;
      } else if (s == "high") {
        out.severity = AlertSeverity::high;
      } else {
        context_.diagnostics.error(action.severity->span, fmt::format("unknown severity '{}'", s),
                                   "low, medium or high");
      }
    }
    if (action.kind == ActionKind::postpone) {
      out.until = exprs_.check_kind(*action.until, TypeKind::time, "`postpone ... until`");
    }
    if (action.kind == ActionKind::schedule) {
      if (action.after) {
        out.after = exprs_.check_kind(*action.after, TypeKind::duration, "`schedule ... after`");
        auto constant = constant_value(*out.after, context_.policy);
        const auto* length = constant ? std::get_if<Duration>(&*constant) : nullptr;
        if (length && length->approximate_micros() <= 0) {
          context_.diagnostics.error(
              action.after->span,
              fmt::format("a timer cannot fire {} after it is set", out.after->text),
              "a duration longer than zero");
        }
      } else {
        out.until = exprs_.check_kind(*action.at, TypeKind::time, "`schedule ... at`");
      }
    }
    out.evidence = action.evidence.empty() ? default_evidence() : check_evidence(action.evidence);
    if (action.message) out.message = check_message(*action.message, out.subject, seen_by_subject);
    if (action.kind == ActionKind::eligibility) check_branches(action, out);
    return out;
  }

  // A hold takes its scope, appeal and expiry from its declaration unless the action says
  // otherwise; an undeclared hold must say at least whether it can be appealed.
  void check_hold(const syntax::Action& action, ActionDef& out) {
    const HoldDef* declared = context_.policy.find_hold(*out.static_name);
    if (!declared && !action.appeal) {
      context_.diagnostics.error(
          action.name->span,
          fmt::format("hold '{}' is not declared, so this action must say whether it can be "
                      "appealed",
                      *out.static_name),
          fmt::format("`appeal after <duration>` or `not appealable` here, or a declaration "
                      "`hold {} {{ ... }}`",
                      *out.static_name));
    }
    if (action.scope) {
      check_scope_words(*action.scope, context_);
      for (const auto& word : *action.scope) out.scope.push_back(word.name);
    } else if (declared) {
      out.scope = declared->scope;
    }
    if (action.appeal) {
      if (action.appeal->appealable) {
        out.appeal_after =
            exprs_.check_kind(*action.appeal->after, TypeKind::duration, "`appeal after`");
      }
    } else if (declared && declared->appeal_after) {
      out.appeal_after = uses_declared(*declared->appeal_after);
    }
    if (action.expires_after) {
      out.expires_after = exprs_.check_expiry(*action.expires_after);
    } else if (declared && declared->expires_after) {
      out.expires_after = uses_declared(*declared->expires_after);
    }
    warn_if_expiry_comes_first(action, out);
  }

  // A hold that ends no later than its appeal opens can never be appealed: the author most
  // likely meant `not appealable`, or a longer expiry. Months count as 28 days for the appeal
  // wait and 31 for the expiry, so the warning is certain whatever the month.
  void warn_if_expiry_comes_first(const syntax::Action& action, const ActionDef& out) {
    if (!out.appeal_after || !out.expires_after) return;
    std::optional<Value> appeal = constant_value(*out.appeal_after, context_.policy);
    std::optional<Value> expiry = constant_value(*out.expires_after, context_.policy);
    const auto* wait = appeal ? std::get_if<Duration>(&*appeal) : nullptr;
    const auto* length = expiry ? std::get_if<Duration>(&*expiry) : nullptr;
    if (!wait || !length) return;
    auto micros = [](const Duration& d, std::int64_t days_a_month) {
      return d.months * days_a_month * kMicrosPerDay + d.micros;
    };
    if (micros(*length, 31) > micros(*wait, 28)) return;
    auto shown = [](const TExpr& expr, const Value& value) {  // a parameter with its value
      std::string text = display_value(value, expr.type);
      return expr.kind == TExpr::Kind::param ? fmt::format("{} = {}", expr.text, text) : text;
    };
    context_.diagnostics.warning(
        action.span,
        fmt::format("hold '{}' expires after {}, no later than its appeal opens (appeal after "
                    "{}): it can never be appealed",
                    *out.static_name, shown(*out.expires_after, *expiry),
                    shown(*out.appeal_after, *appeal)),
        "`not appealable`, or an expiry longer than the appeal wait");
  }

  // A declaration's constant used by this rule: its parameter shows in the rule's traces.
  const TExpr& uses_declared(const TExpr& constant) {
    if (constant.kind == TExpr::Kind::param) {
      auto& used = rule_.params_used;
      if (std::find(used.begin(), used.end(), constant.index) == used.end()) {
        used.push_back(constant.index);
      }
    }
    return constant;
  }

  // The texts the account reads, from the declarations of what this action decides.
  void set_display(ActionDef& out) {
    out.display.shown_to_account = out.kind != ActionKind::alert;
    if (!out.static_name) return;
    const std::string& name = *out.static_name;
    if (out.kind == ActionKind::alert || out.kind == ActionKind::eligibility) {
      auto kind = out.kind == ActionKind::alert ? DecisionKind::alert : DecisionKind::eligibility;
      if (const OutcomeDef* declared = context_.policy.find_outcome(kind, name)) {
        out.display.name = declared->display;
        out.display.shown_to_account = declared->shown_to_account;
      }
      return;
    }
    if (const HoldDef* declared = context_.policy.find_hold(name)) {
      out.display.name = declared->display;
    }
    for (const auto& word : out.scope) {
      if (const ScopeDef* scope = context_.policy.find_scope(word)) {
        out.display.scope.push_back(scope->display);
      }
    }
  }

  TExpr literal_string(const syntax::Expr& name) {
    TExpr out;
    out.kind = TExpr::Kind::literal;
    out.type = Type::of(TypeKind::string);
    out.literal = name.text;
    out.span = name.span;
    out.text = name.text;
    return out;
  }

  void check_branches(const syntax::Action& action, ActionDef& out) {
    bool decided = false;
    for (const auto& deny : action.denies) {
      if (decided) unreachable(deny.span);
      EligibilityBranch branch;
      branch.reason = deny.reason.name;
      branch.span = deny.span;
      if (deny.condition) {
        branch.condition = exprs_.check_condition(*deny.condition, "`deny ... when`");
        warn_if_covered(*branch.condition, out.denies, deny.span);
      } else {
        decided = true;
      }
      if (deny.until) {
        branch.until = exprs_.check_kind(*deny.until, TypeKind::time, "`until` (eligible_at)");
      }
      branch.evidence = deny.evidence.empty() ? out.evidence : check_evidence(deny.evidence);
      branch.message = check_message(deny.message, out.subject, true);
      out.denies.push_back(std::move(branch));
    }
    if (action.allow) {
      if (decided) unreachable(action.allow->span);
      EligibilityBranch branch;
      branch.span = action.allow->span;
      branch.evidence =
          action.allow->evidence.empty() ? out.evidence : check_evidence(action.allow->evidence);
      branch.message = check_message(action.allow->message, out.subject, true);
      out.allow = std::move(branch);
    } else if (!decided) {
      context_.diagnostics.error(
          action.span,
          fmt::format("eligibility '{}' may decide nothing when no deny applies",
                      out.static_name.value_or("")),
          "an `allow say \"...\"` branch, or a last `deny` without `when`");
    }
  }

  // A deny that can only apply where an earlier deny already did is never reached.
  void warn_if_covered(const TExpr& condition, const std::vector<EligibilityBranch>& before,
                       Span span) {
    for (const auto& earlier : before) {
      if (!earlier.condition || !covered_by(condition, *earlier.condition, context_.policy)) {
        continue;
      }
      context_.diagnostics.warning(
          span,
          fmt::format("this branch can never be reached: wherever `{}` holds, the earlier `deny "
                      "{} when {}` already applies",
                      condition.text, earlier.reason, earlier.condition->text),
          "a narrower branch before a wider one");
      return;
    }
  }

  void unreachable(Span span) {
    context_.diagnostics.warning(span,
                                 "this branch can never be reached: a deny before it has no `when`",
                                 "a `when` on the earlier deny, or remove this branch");
  }

  std::vector<EvidenceRef> default_evidence() const {
    if (rule_.timer) return {};
    return {EvidenceRef{EvidenceRef::Kind::trigger, 0}};
  }

  std::vector<EvidenceRef> check_evidence(const std::vector<syntax::EvidenceItem>& items) {
    std::vector<EvidenceRef> out;
    for (const auto& item : items) {
      const std::string& name = item.name.name;
      if (name == rule_.alias && !item.first_per_value) {
        if (rule_.timer) {
          context_.diagnostics.error(item.name.span,
                                     "a timer is not an event: it cannot be evidence",
                                     "no evidence clause in a timer rule");
          continue;
        }
        out.push_back({EvidenceRef::Kind::trigger, 0});
        continue;
      }
      std::optional<std::uint32_t> let = scope_.find_let(name);
      if (!let) {
        std::string expected = suggestion(name, scope_.visible_names(context_.policy));
        context_.diagnostics.error(
            item.name.span, fmt::format("undefined name '{}'", name),
            expected.empty() ? "the event alias, a `latest` or `earlier` let, or an aggregate"
                             : expected);
        continue;
      }
      const Let& def = rule_.lets[*let];
      std::uint32_t index = *let;
      if (item.first_per_value) {
        bool distinct =
            def.source == Let::Source::aggregate && rule_.aggregates[def.index].distinct;
        if (!distinct) {
          context_.diagnostics.error(item.name.span,
                                     fmt::format("`first of` needs a `count distinct` aggregate, "
                                                 "and '{}' is not one",
                                                 name),
                                     "the name of a `count distinct ... as <name>` aggregate");
          continue;
        }
        out.push_back({EvidenceRef::Kind::first_per_value, index});
        continue;
      }
      if (def.source == Let::Source::value) {
        context_.diagnostics.error(
            item.name.span, fmt::format("'{}' is a value, not events: it cannot be evidence", name),
            "the event alias, a `latest` or `earlier` let, or an aggregate");
        continue;
      }
      out.push_back({EvidenceRef::Kind::let, index});
    }
    return out;
  }

  // "Clients on {n} contracts": placeholders are names or field paths, checked like expressions.
  // Positions come from the raw source, so an error points into the string.
  Message check_message(const syntax::StringLit& literal, const TExpr& subject,
                        bool seen_by_subject) {
    Message message;
    message.span = literal.span;
    std::string_view raw = context_.sources.file(literal.span.file).slice(literal.span);
    if (raw.size() >= 2) raw = raw.substr(1, raw.size() - 2);
    std::uint32_t base = literal.span.begin + 1;
    std::string text;
    auto flush = [&] {
      if (!text.empty()) message.parts.push_back({std::move(text), std::nullopt});
      text.clear();
    };
    for (std::size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && i + 1 < raw.size()) {
        char e = raw[++i];
        text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        continue;
      }
      if (c != '{') {
        text += c;
        continue;
      }
      std::size_t close = raw.find('}', i);
      Span at{
          literal.span.file, base + static_cast<std::uint32_t>(i),
          base + static_cast<std::uint32_t>(close == std::string_view::npos ? i + 1 : close + 1)};
      std::string_view inside =
          close == std::string_view::npos ? std::string_view() : raw.substr(i + 1, close - i - 1);
      if (close == std::string_view::npos || !is_placeholder_path(inside)) {
        context_.diagnostics.error(at, "bad placeholder in message",
                                   "a name or a field path in braces, such as {n} or {f.contract}; "
                                   "\\{ for a literal brace");
        if (close == std::string_view::npos) break;
        i = close;
        continue;
      }
      flush();
      syntax::Expr path = placeholder_expr(inside, at.begin + 1);
      TExpr value = exprs_.check(path);
      if (value.type.kind == TypeKind::decisions) value = count_of(std::move(value));
      if (value.type.kind == TypeKind::record) {
        context_.diagnostics.error(path.span,
                                   fmt::format("cannot show '{}' in a message: it is {}",
                                               value.text, context_.type_name(value.type)),
                                   "a value: a field, a parameter, a let or an aggregate");
      } else if (seen_by_subject && value.type.kind == TypeKind::id && value.text != subject.text) {
        context_.diagnostics.warning(
            path.span,
            fmt::format("the message shows '{}', an id that may identify another party",
                        value.text),
            fmt::format("no id but the subject's ({}) in a message the subject reads",
                        subject.text));
      }
      message.parts.push_back({"", std::move(value)});
      i = close;
    }
    flush();
    return message;
  }

  // `{alerts}` for the decisions of an `earlier`: how many there are.
  static TExpr count_of(TExpr decisions) {
    TExpr out;
    out.kind = TExpr::Kind::call;
    out.builtin = Builtin::size;
    out.type = Type::of(TypeKind::integer);
    out.span = decisions.span;
    out.text = decisions.text;
    out.args.push_back(std::move(decisions));
    return out;
  }

  syntax::Expr placeholder_expr(std::string_view path, std::uint32_t offset) {
    FileId file = decl_.span.file;
    std::size_t dot = path.find('.');
    std::string_view head = path.substr(0, dot);
    syntax::Expr expr;
    expr.kind = syntax::ExprKind::name;
    expr.text = std::string(head);
    expr.span = Span{file, offset, offset + static_cast<std::uint32_t>(head.size())};
    while (dot != std::string_view::npos) {
      std::size_t next = path.find('.', dot + 1);
      std::string_view field =
          path.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1);
      auto object = std::make_shared<syntax::Expr>(std::move(expr));
      expr = syntax::Expr{};
      expr.kind = syntax::ExprKind::field;
      expr.text = std::string(field);
      expr.span = Span{
          file, offset,
          offset + static_cast<std::uint32_t>(next == std::string_view::npos ? path.size() : next)};
      expr.args.push_back(std::move(object));
      dot = next;
    }
    return expr;
  }

  // ------------------------------------------------------------ warnings

  void warn_if_never_fires() {
    auto check_constant = [&](const TExpr& condition) {
      if (condition.type.is_error()) return;
      auto value = constant_value(condition, context_.policy);
      if (value && std::holds_alternative<bool>(*value) && !std::get<bool>(*value)) {
        context_.diagnostics.warning(condition.span,
                                     fmt::format("rule '{}' can never fire: `{}` is always false",
                                                 rule_.name, condition.text),
                                     "a condition that depends on the event");
      } else if (auto why = contradiction(condition, context_.policy)) {
        context_.diagnostics.warning(condition.span,
                                     fmt::format("rule '{}' can never fire: `{}` never holds: {}",
                                                 rule_.name, condition.text, *why),
                                     "conditions that some event can meet together");
      }
    };
    for (const auto& guard : rule_.guards) check_constant(guard);
    for (const auto& condition : rule_.conditions) check_constant(condition);
    bool appeal_timer = rule_.timer && rule_.trigger_type &&
                        context_.policy.schema.types[*rule_.trigger_type].name == kAppealDueTimer;
    if (appeal_timer && context_.hold_names.empty()) {
      context_.diagnostics.warning(
          decl_.trigger.span,
          fmt::format("rule '{}' can never fire: no rule places a hold, so no appeal is ever due",
                      rule_.name),
          "a rule with a `hold` action");
    }
  }

  const syntax::RuleDecl& decl_;
  CheckContext& context_;
  Rule rule_;
  RuleScope scope_;
  ExprChecker exprs_;
};

}  // namespace

Rule check_rule(const syntax::RuleDecl& decl, CheckContext& context) {
  return RuleChecker(decl, context).run();
}

}  // namespace bylaw::check
