// A hold declared (or placed) to last a while ends at its expiry: the engine releases it, on
// behalf of the rule and action that placed it, with a trace that says so.
#include <fmt/format.h>

#include "bylaw/check/types.hpp"
#include "rule_runner.hpp"

namespace bylaw::runtime {

namespace {

// "proposals_blocked" -> "proposals blocked"
std::string in_words(std::string name) {
  for (char& c : name) {
    if (c == '_') c = ' ';
  }
  return name;
}

// The expiry, as the trace shows it: placed_at + expires after = expires_at.
ExprTrace expiry_expr(const HoldState& hold, const check::ActionDef* action,
                      const check::Policy& policy) {
  std::string after = action ? action->expires_after->text : "";
  Duration length = between(*hold.expires_at, hold.placed_at);
  ExprTrace placed{"placed_at", format_rfc3339(hold.placed_at), true, {}, {}};
  ExprTrace lasts{after.empty() ? "expires after" : after, format_duration(length), true, {}, {}};
  if (action) {
    lasts.value = check::display_value(policy.constant(*action->expires_after),
                                       check::Type::of(check::TypeKind::duration));
  }
  return ExprTrace{
      "placed_at + " + lasts.text, format_rfc3339(*hold.expires_at), true, {}, {placed, lasts}};
}

// The action that placed the hold, if the policy still has it as it was: a checkpoint restored
// under a changed policy may have the rule gone, or its actions moved or changed.
const check::ActionDef* placing_action(const check::Policy& policy, const check::Rule* rule,
                                       const Timer& timer, const HoldState& hold) {
  if (!rule || hold.placed_by_action >= rule->actions.size()) return nullptr;
  const check::ActionDef& action = rule->actions[hold.placed_by_action];
  if (action.kind != check::ActionKind::hold || action.static_name != timer.hold ||
      !action.expires_after) {
    return nullptr;
  }
  Duration length = std::get<Duration>(policy.constant(*action.expires_after));
  return add(hold.placed_at, length) == timer.due ? &action : nullptr;
}

Trace expiry_trace(const check::Policy& policy, const check::Rule* rule, const Timer& timer,
                   const HoldState& hold) {
  Trace trace;
  trace.rule = hold.placed_by;
  trace.policy = policy.versioned_name();
  trace.policy_hash = policy.hash;
  trace.timer = TimerTrace{"hold.expiry",
                           {{"hold", timer.hold},
                            {"subject", timer.subject},
                            {"placed_at", format_rfc3339(hold.placed_at)},
                            {"expires_at", format_rfc3339(timer.due)}}};
  if (rule) {
    trace.file = policy.sources->file(rule->span.file).path();
    trace.first_line = rule->first_line;
    trace.last_line = rule->last_line;
    trace.mode = check::mode_name(rule->mode);
  }
  const check::ActionDef* action = placing_action(policy, rule, timer, hold);
  if (const check::HoldDef* declared = policy.find_hold(timer.hold)) {
    trace.display.name = declared->display;
  }
  if (action) {
    trace.display = action->display;
    if (action->expires_after && action->expires_after->kind == check::TExpr::Kind::param) {
      const check::Param& param = policy.params[action->expires_after->index];
      trace.parameters.push_back({param.name, check::display_value(param.value, param.type)});
    }
  }
  trace.conditions.push_back({"expires", "", true, expiry_expr(hold, action, policy)});
  std::string title = trace.display.name.empty() ? "The " + in_words(timer.hold) + " restriction"
                                                 : "The restriction \"" + trace.display.name + "\"";
  // As written (12 months), not as an exact number of days, when the placing action is known.
  std::string lasting = format_duration_words(between(timer.due, hold.placed_at));
  if (action) {
    lasting = check::message_value(policy.constant(*action->expires_after),
                                   check::Type::of(check::TypeKind::duration));
  }
  trace.summary = fmt::format("{} placed on {} was set to last {}; it has ended.", title,
                              format_time_words(hold.placed_at), lasting);
  return trace;
}

}  // namespace

void RuleRunner::expire(const Timer& timer) {
  HoldState& hold = state_.holds.get(timer.subject, timer.hold);
  std::optional<std::size_t> rule = policy_.find_rule(hold.placed_by);
  Decision d;
  d.kind = check::DecisionKind::release;
  d.id = decision_id(policy_, hold.placed_by, hold.placed_by_action,
                     fmt::format("expiry:{}:{}:{}", timer.hold, timer.subject, timer.due.micros),
                     timer.subject);
  d.name = timer.hold;
  d.subject = timer.subject;
  d.time = timer.due;
  d.rule = hold.placed_by;
  d.policy = policy_.versioned_name();
  d.policy_hash = policy_.hash;
  d.explanation = expiry_trace(policy_, rule ? &policy_.rules[*rule] : nullptr, timer, hold);
  hold.active = false;
  hold.released_at = timer.due;
  emit(std::move(d));
  record_history();
}

}  // namespace bylaw::runtime
