// A rule that fired: its actions, one function per kind, each returning what it emits, and what
// every emitted decision carries (id, evidence, message).
#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/core/keyed_hash.hpp"
#include "bylaw/core/sha256.hpp"
#include "hops.hpp"
#include "rule_runner.hpp"

namespace bylaw::runtime {

using check::ActionKind;
using check::DecisionKind;
using check::EvidenceRef;

namespace {

// A timer is identified by its hold (or, for an author's timer, its name), subject and due time;
// an event by its id.
std::string cause_of(const Event& event, bool timer, const check::Policy& policy,
                     const plan::Plan& plan) {
  const check::EventTypeDef& type = policy.schema.types[static_cast<std::size_t>(event.type)];
  if (type.decision) return "decision:" + event.id;
  if (!timer) return "event:" + event.id;
  if (plan.appeal_timer_type && static_cast<std::uint32_t>(event.type) == *plan.appeal_timer_type) {
    return fmt::format("timer:{}:{}:{}", std::get<std::string>(event.fields[0]),
                       std::get<std::string>(event.fields[1]), event.time.micros);
  }
  return fmt::format("timer:{}:{}:{}",
                     policy.schema.types[static_cast<std::size_t>(event.type)].name,
                     std::get<std::string>(event.fields[0]), event.time.micros);
}

void add_unique(std::vector<std::string>& ids, KeyedSet& seen, const std::string& id) {
  if (!id.empty() && seen.insert(id).second) ids.push_back(id);
}

void add_aggregate_evidence(const EvidenceRef& ref, const AggregateView& view,
                            std::vector<std::string>& ids, KeyedSet& seen) {
  AggregateLists lists = list_aggregate(view);
  if (ref.kind != EvidenceRef::Kind::first_per_value) {
    for (const auto* entry : lists.counted) add_unique(ids, seen, entry->id);
    return;
  }
  KeyedSet values;
  for (const auto* entry : lists.counted) {
    std::string key;
    append_key(key, entry->value);
    if (values.insert(key).second) add_unique(ids, seen, entry->id);
  }
}

std::vector<std::string> evidence_ids(const std::vector<EvidenceRef>& refs, Firing& firing) {
  Frame& frame = firing.frame;
  std::vector<std::string> ids;
  KeyedSet seen;
  for (const auto& ref : refs) {
    if (ref.kind == EvidenceRef::Kind::trigger) {
      if (auto trigger = firing.trigger()) add_unique(ids, seen, *trigger);
      continue;
    }
    const check::Let& def = frame.rule.lets[ref.let];
    LetValue& slot = let_value(frame, ref.let);
    switch (def.source) {
      case check::Let::Source::latest:
        if (slot.record) add_unique(ids, seen, slot.record->id);
        break;
      case check::Let::Source::earlier:
        for (const auto* record : slot.decisions) add_unique(ids, seen, record->trigger);
        break;
      case check::Let::Source::aggregate:
        add_aggregate_evidence(ref, firing.views[def.index], ids, seen);
        break;
      case check::Let::Source::value:
        break;
    }
  }
  return ids;
}

std::optional<std::string> text_value(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return std::nullopt;
}

}  // namespace

std::string decision_id(const check::Policy& policy, const std::string& rule, std::size_t action,
                        const std::string& cause, const std::string& subject) {
  // Appended, not formatted: this runs for every decision. The bytes are the ids' contract.
  std::string hashed;
  hashed.reserve(policy.hash.size() + rule.size() + cause.size() + subject.size() + 24);
  hashed.append(policy.hash).append(1, '\n').append(rule).append(1, '\n');
  hashed.append(std::to_string(action)).append(1, '\n').append(cause).append(1, '\n');
  hashed.append(subject);
  std::string digest = Sha256::hex(hashed);
  return "d-" + digest.substr(0, 24);
}

std::string render_message(const check::Message& message, Frame& frame) {
  std::string out;
  for (const auto& part : message.parts) {
    if (part.value) {
      out += check::message_value(evaluate(*part.value, frame), part.value->type);
    } else {
      out += part.text;
    }
  }
  return out;
}

const Trace& Firing::explained() {
  if (!trace) {
    frame.recorder = &recorder;
    // The trace evaluates the conditions again: that is not exercising them a second time.
    ClauseObserver* observing = std::exchange(frame.observer, nullptr);
    trace = build_trace(frame, views);
    frame.observer = observing;
  }
  return *trace;
}

void RuleRunner::fire(Firing& firing) {
  Frame& frame = firing.frame;
  const check::Rule& rule = frame.rule;
  for (std::uint32_t i = 0; i < rule.lets.size(); ++i) let_value(frame, i);
  if (gate_) check_writes(frame);
  for (std::size_t a = 0; a < rule.actions.size(); ++a) {
    const check::ActionDef& action = rule.actions[a];
    auto subject = text_value(evaluate(action.subject, frame));
    auto name = text_value(evaluate(action.name, frame));
    if (!subject || !name) {
      spdlog::warn("rule {}: action {} skipped: its subject or name is absent", rule.name, a + 1);
      continue;
    }
    std::optional<Emission> emitted = act(firing, a, *subject, *name);
    if (!emitted) continue;
    if (frame.observer && action.kind != ActionKind::eligibility) {
      frame.observer->outcome_taken(frame.rule_index, a, 0);
    }
    Decision& d = emitted->decision;
    d.evidence = evidence_ids(*emitted->evidence, firing);
    if (emitted->message) d.explanation.summary = render_message(*emitted->message, frame);
    emit(std::move(d));
  }
  record_history();
}

namespace {

// Whether an action changes state kept under its subject: a hold and what goes with it, a
// timer, or a decision some `earlier` remembers or some rule reacts to (plan/keys.cpp agrees).
bool writes_subject(const plan::Plan& plan, const check::ActionDef& action,
                    const std::string& name) {
  switch (action.kind) {
    case ActionKind::alert:
      return plan.history_index(DecisionKind::alert, name) ||
             plan.reaction_type(DecisionKind::alert, name);
    case ActionKind::eligibility:
      return plan.history_index(DecisionKind::eligibility, name) ||
             plan.reaction_type(DecisionKind::eligibility, name);
    default:
      return true;
  }
}

}  // namespace

// Partitioned: every action's writes pass the gate before any decision goes out, so that a rule
// that goes on at another partition has emitted nothing here.
void RuleRunner::check_writes(Frame& frame) {
  for (const auto& action : frame.rule.actions) {
    auto subject = text_value(evaluate(action.subject, frame));
    auto name = text_value(evaluate(action.name, frame));
    if (!subject || !name || !writes_subject(plan_, action, *name)) continue;
    std::string key;
    append_key(key, std::string_view(*subject));
    gate_->write(key);
  }
}

std::optional<Emission> RuleRunner::act(Firing& firing, std::size_t a, const std::string& subject,
                                        const std::string& name) {
  const check::ActionDef& action = firing.frame.rule.actions[a];
  if (gate_ && writes_subject(plan_, action, name)) {
    std::string key;
    append_key(key, std::string_view(subject));
    gate_->write(key);
  }
  switch (action.kind) {
    case ActionKind::hold:
      return place_hold(firing, a, subject, name);
    case ActionKind::release:
      return release_hold(firing, a, subject, name);
    case ActionKind::alert:
      return raise_alert(firing, a, subject, name);
    case ActionKind::eligibility:
      return answer_eligibility(firing, a, subject, name);
    case ActionKind::postpone:
      postpone_appeal(firing, a, subject, name);
      return std::nullopt;
    case ActionKind::schedule:
      schedule_timer(firing, a, subject, name);
      return std::nullopt;
    case ActionKind::cancel:
      cancel_timer(firing, a, subject, name);
      return std::nullopt;
  }
  return std::nullopt;
}

// What every decision of this firing carries, before its action adds its own.
Emission RuleRunner::emission(Firing& firing, std::size_t a, const std::string& subject,
                              const std::string& name, DecisionKind kind) {
  const Frame& frame = firing.frame;
  const check::Rule& rule = frame.rule;
  const check::ActionDef& action = rule.actions[a];
  Emission e{Decision{}, &action.evidence, action.message ? &*action.message : nullptr};
  Decision& d = e.decision;
  d.id = decision_id(policy_, rule.name, a, cause_of(*frame.event, firing.timer, policy_, plan_),
                     subject);
  d.kind = kind;
  d.name = name;
  d.subject = subject;
  d.time = frame.now;
  d.trigger = firing.trigger();
  d.rule = rule.name;
  d.policy = policy_.versioned_name();
  d.policy_hash = policy_.hash;
  d.shadow = rule.mode == check::Mode::shadow;
  if (state_.traces) d.explanation = firing.explained();
  d.explanation.display = action.display;
  return e;
}

std::optional<Emission> RuleRunner::place_hold(Firing& firing, std::size_t a,
                                               const std::string& subject,
                                               const std::string& name) {
  if (const HoldState* held = state_.holds.find(subject, name); held && held->active) {
    return std::nullopt;  // already held: a hold is placed once
  }
  Frame& frame = firing.frame;
  const check::ActionDef& action = frame.rule.actions[a];
  Emission e = emission(firing, a, subject, name, DecisionKind::hold);
  Decision& d = e.decision;
  if (action.appeal_after) {
    // An appeal wait read from an optional value may be absent: the hold then has no appeal
    // date, as one declared `not appealable` (logged, since the author meant one).
    Value wait = evaluate(*action.appeal_after, frame);
    if (const auto* w = std::get_if<Duration>(&wait)) {
      d.appeal_eligible_at = add(frame.now, *w);
    } else {
      spdlog::warn("rule {}: hold {} on {} has no appeal date: `{}` is absent", frame.rule.name,
                   name, subject, action.appeal_after->text);
    }
  }
  if (action.expires_after) {
    d.expires_at = add(frame.now, std::get<Duration>(policy_.constant(*action.expires_after)));
  }
  d.scope = action.scope;
  if (!d.shadow) {
    HoldState& hold = state_.holds.get(subject, name);
    hold.active = true;
    hold.placed_at = frame.now;
    hold.appeal_at = d.appeal_eligible_at;
    hold.expires_at = d.expires_at;
    hold.fired_dues.clear();
    hold.placed_by = frame.rule.name;
    hold.placed_by_action = static_cast<std::uint32_t>(a);
    ++hold.generation;
    // The expiry first: when both fall on one instant, the hold ends rather than opening an
    // appeal against itself.
    if (hold.expires_at) {
      state_.timers.push({*hold.expires_at, state_.timer_order++, subject, name, hold.generation,
                          TimerKind::expiry});
    }
    if (hold.appeal_at) {
      state_.timers.push({*hold.appeal_at, state_.timer_order++, subject, name, hold.generation,
                          TimerKind::appeal_due});
    }
  }
  return e;
}

std::optional<Emission> RuleRunner::release_hold(Firing& firing, std::size_t a,
                                                 const std::string& subject,
                                                 const std::string& name) {
  // Looked up, not created: releasing what was never held leaves no state behind.
  const HoldState* held = state_.holds.find(subject, name);
  if (!held || !held->active) return std::nullopt;  // nothing to lift
  Emission e = emission(firing, a, subject, name, DecisionKind::release);
  // Named by a value (`release r.hold`), the hold's declaration is known only now.
  check::Display& display = e.decision.explanation.display;
  if (display.name.empty()) {
    if (const check::HoldDef* declared = policy_.find_hold(name)) display.name = declared->display;
  }
  if (!e.decision.shadow) {
    HoldState& hold = state_.holds.get(subject, name);
    hold.active = false;
    hold.released_at = firing.frame.now;
  }
  return e;
}

std::optional<Emission> RuleRunner::raise_alert(Firing& firing, std::size_t a,
                                                const std::string& subject,
                                                const std::string& name) {
  Emission e = emission(firing, a, subject, name, DecisionKind::alert);
  e.decision.severity = firing.frame.rule.actions[a].severity;
  return e;
}

std::optional<Emission> RuleRunner::answer_eligibility(Firing& firing, std::size_t a,
                                                       const std::string& subject,
                                                       const std::string& name) {
  Frame& frame = firing.frame;
  const check::ActionDef& action = frame.rule.actions[a];
  Emission e = emission(firing, a, subject, name, DecisionKind::eligibility);
  Decision& d = e.decision;
  const check::EligibilityBranch* chosen = nullptr;
  for (const auto& deny : action.denies) {
    bool applies = !deny.condition || is_true(*deny.condition, frame);
    if (deny.condition) {
      d.explanation.conditions.push_back(
          {"deny", deny.reason, applies, trace_expr(*deny.condition, firing.recorder)});
    }
    if (applies) {
      chosen = &deny;
      break;
    }
  }
  if (frame.observer && (chosen || action.allow)) {
    std::size_t outcome =
        chosen ? static_cast<std::size_t>(chosen - action.denies.data()) : action.denies.size();
    frame.observer->outcome_taken(frame.rule_index, a, outcome);
  }
  if (chosen) {
    d.eligible = false;
    d.reason = chosen->reason;
    if (chosen->until) {
      Value until = evaluate(*chosen->until, frame);
      if (const auto* t = std::get_if<Time>(&until)) d.eligible_at = *t;
    }
  } else if (action.allow) {
    chosen = &*action.allow;
    d.eligible = true;
  } else {
    return std::nullopt;
  }
  e.evidence = &chosen->evidence;
  e.message = &chosen->message;
  return e;
}

void RuleRunner::postpone_appeal(Firing& firing, std::size_t a, const std::string& subject,
                                 const std::string& name) {
  Frame& frame = firing.frame;
  const check::Rule& rule = frame.rule;
  const HoldState* found = state_.holds.find(subject, name);
  Value until = evaluate(*rule.actions[a].until, frame);
  const auto* due = std::get_if<Time>(&until);
  bool shadow = rule.mode == check::Mode::shadow;
  // A hold that cannot be appealed has no appeal date to move.
  if (shadow || !found || !found->active || !found->appeal_at || !due || *due == found->appeal_at) {
    return;
  }
  if (frame.observer) frame.observer->outcome_taken(frame.rule_index, a, 0);
  // The trace shows the state as the rule found it: built before the change, if anything of
  // this rule will be emitted.
  bool emits_besides_postponing =
      std::any_of(rule.actions.begin(), rule.actions.end(),
                  [](const check::ActionDef& x) { return x.kind != ActionKind::postpone; });
  if (emits_besides_postponing && state_.traces) firing.explained();
  HoldState& held = state_.holds.get(subject, name);
  held.appeal_at = *due;
  // A date not after now opens the appeal at once. Its timer would fire in the past, behind
  // decisions already made, so none is set; the timer of the date it replaces goes stale.
  if (*due <= frame.now) return;
  state_.timers.push(
      {*due, state_.timer_order++, subject, name, held.generation, TimerKind::appeal_due});
}

// Sets (or moves) the author's timer `name` for `subject`; a shadow rule changes nothing.
void RuleRunner::schedule_timer(Firing& firing, std::size_t a, const std::string& subject,
                                const std::string& name) {
  Frame& frame = firing.frame;
  const check::ActionDef& action = frame.rule.actions[a];
  if (frame.rule.mode == check::Mode::shadow) return;
  std::optional<Time> due;
  if (action.after) {
    Value after = evaluate(*action.after, frame);
    if (const auto* d = std::get_if<Duration>(&after)) due = add(frame.now, *d);
  } else {
    Value at = evaluate(*action.until, frame);
    if (const auto* t = std::get_if<Time>(&at)) due = *t;
  }
  // A timer fires strictly after the instant it is set: an absent time or duration, or one not
  // after now, sets nothing (the past is decided, and a timer rule setting its own timer again
  // for the same instant would keep the clock from moving on).
  if (!due || *due <= frame.now) return;
  if (frame.observer) frame.observer->outcome_taken(frame.rule_index, a, 0);
  const Scheduled* pending = state_.schedules.find(name, subject);
  if (pending && pending->due <= *due) {
    // The queued timer comes first: it re-arms itself for the new time when it comes due, so
    // a timer moved on every event stays one entry in the queue.
    state_.schedules.set(name, subject, {*due, frame.now, pending->order});
    return;
  }
  std::uint64_t order = state_.timer_order++;
  state_.schedules.set(name, subject, {*due, frame.now, order});
  state_.timers.push({*due, order, subject, name, order, TimerKind::scheduled});
}

void RuleRunner::cancel_timer(Firing& firing, std::size_t a, const std::string& subject,
                              const std::string& name) {
  Frame& frame = firing.frame;
  if (frame.rule.mode == check::Mode::shadow || !state_.schedules.find(name, subject)) return;
  if (frame.observer) frame.observer->outcome_taken(frame.rule_index, a, 0);
  state_.schedules.erase(name, subject);  // its Timer is stale from now on
}

// The decisions of this firing that `earlier` asks about go into the history once it ends.
void RuleRunner::record_history() {
  for (auto& r : recorded_) {
    if (!state_.history.record(r.need, r.subject, std::move(r.record),
                               state_.max_decisions_per_subject)) {
      continue;
    }
    ++state_.stats.capped;
    if (!state_.history_cap_logged[r.need]) {
      state_.history_cap_logged[r.need] = true;
      spdlog::warn(
          "the {} {} decisions remembered for `earlier` reached their cap of {} per subject "
          "(first for {}); the oldest are forgotten from now on",
          check::decision_kind_name(plan_.histories[r.need].kind), plan_.histories[r.need].name,
          state_.max_decisions_per_subject, r.subject);
    }
  }
  recorded_.clear();
}

}  // namespace bylaw::runtime
