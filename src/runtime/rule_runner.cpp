#include "rule_runner.hpp"

#include <algorithm>
#include <optional>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/core/sha256.hpp"

namespace bylaw::runtime {

using check::ActionKind;
using check::DecisionKind;
using check::EvidenceRef;

EngineState::EngineState(const check::Policy& policy, const plan::Plan& plan,
                         const EngineOptions& options)
    : history(plan),
      max_entries_per_key(std::max<std::size_t>(options.max_entries_per_key, 1)),
      max_decisions_per_subject(std::max<std::size_t>(options.max_decisions_per_subject, 1)),
      history_cap_logged(plan.histories.size(), false) {
  for (const auto& rule : policy.rules) {
    correlations.emplace_back(rule.correlations.size());
    aggregates.emplace_back(rule.aggregates.size());
    window_cap_logged.emplace_back(rule.aggregates.size(), false);
  }
}

RuleRunner::RuleRunner(const check::Policy& policy, const plan::Plan& plan, EngineState& state,
                       DecisionSink& sink, Coverage* coverage)
    : policy_(policy),
      plan_(plan),
      state_(state),
      sink_(sink),
      coverage_(coverage),
      locals_(policy.rules.size()),
      views_(policy.rules.size()) {}

namespace {

bool counts(const AggregateEntry& entry, const AggregateView& view) {
  if (entry.left_out_by) return false;
  if (entry.time <= view.lower) return false;
  return !(view.after && entry.time <= *view.after);
}

}  // namespace

Value aggregate_value(const check::Aggregate& aggregate, const AggregateView& view,
                      DistinctScratch& distinct) {
  std::vector<std::string>& distinct_keys = distinct.keys;
  std::int64_t count = 0;
  double sum = 0;
  bool integral = true;
  std::size_t keys = 0;  // distinct_keys in use: the rest keep their buffers for later
  for (const auto& entry : *view.entries) {
    if (!counts(entry, view)) continue;
    if (aggregate.function == check::AggregateFunction::sum) {
      if (const auto* i = std::get_if<std::int64_t>(&entry.value)) {
        sum += static_cast<double>(*i);
      } else if (const auto* d = std::get_if<double>(&entry.value)) {
        sum += *d;
        integral = false;
      }
    } else if (aggregate.distinct) {
      if (keys == distinct_keys.size()) distinct_keys.emplace_back();
      std::string& key = distinct_keys[keys++];
      key.clear();
      append_key(key, entry.value);
    } else {
      ++count;
    }
  }
  if (aggregate.function == check::AggregateFunction::sum) {
    if (integral && aggregate.value->type.kind == check::TypeKind::integer) {
      return static_cast<std::int64_t>(sum);
    }
    return sum;
  }
  if (aggregate.distinct) {
    // An open-addressing table of (hash, key index), at most half full: one pass, no sort.
    auto& table = distinct.table;
    std::size_t size = 16;
    while (size < keys * 2) size <<= 1;
    constexpr std::uint32_t kEmpty = UINT32_MAX;
    table.assign(size, {0, kEmpty});  // keeps its capacity: no allocation once warm
    std::int64_t different = 0;
    for (std::size_t i = 0; i < keys; ++i) {
      std::uint64_t hash = std::hash<std::string>{}(distinct_keys[i]);
      for (std::size_t at = hash & (size - 1);; at = (at + 1) & (size - 1)) {
        auto& slot = table[at];
        if (slot.second == kEmpty) {
          slot = {hash, static_cast<std::uint32_t>(i)};
          ++different;
          break;
        }
        // Equal hashes are told apart by their keys, so the count is exact.
        if (slot.first == hash && distinct_keys[slot.second] == distinct_keys[i]) break;
      }
    }
    return different;
  }
  return count;
}

AggregateLists list_aggregate(const AggregateView& view) {
  AggregateLists lists;
  for (const auto& entry : *view.entries) {
    if (entry.time <= view.lower) continue;
    if (entry.left_out_by) {
      lists.left_out.emplace_back(&entry, *entry.left_out_by);
    } else if (view.after && entry.time <= *view.after) {
      lists.left_out.emplace_back(&entry,
                                  fmt::format("at or before {}", format_rfc3339(*view.after)));
    } else {
      lists.counted.push_back(&entry);
    }
  }
  return lists;
}

void RuleRunner::run(std::uint32_t rule_index, const EventPtr& event, bool timer) {
  const check::Rule& rule = policy_.rules[rule_index];
  StateView view{state_.holds, state_.history, state_.correlations, plan_};
  Frame frame(policy_, rule, rule_index, view, event.get(), event->time, locals_[rule_index]);
  RuleCoverage* coverage = coverage_ ? &coverage_->rules[rule_index] : nullptr;
  frame.coverage = coverage;
  for (std::size_t g = 0; g < rule.guards.size(); ++g) {
    if (!holds(rule.guards[g], frame)) return;
    if (coverage) ++coverage->guards[g];
  }
  const std::string* left_out_by = nullptr;
  for (std::size_t x = 0; x < rule.exclusions.size(); ++x) {
    if (holds(rule.exclusions[x].condition, frame)) {
      left_out_by = &rule.exclusions[x].reason;
      if (coverage) ++coverage->exclusions[x];
      break;
    }
  }
  // Every candidate enters the windows: counted, or left out with its reason for the traces.
  std::vector<AggregateView>& views = views_[rule_index];
  views.resize(rule.aggregates.size());
  for (std::size_t i = 0; i < rule.aggregates.size(); ++i) {
    const check::Aggregate& aggregate = rule.aggregates[i];
    AggregateView& v = views[i];
    v.key.clear();
    v.after.reset();
    Value scratch;
    v.key_value = evaluate_ref(aggregate.key, frame, scratch);
    append_key(v.key, v.key_value);
    v.lower =
        subtract(frame.now, std::get<Duration>(evaluate_ref(aggregate.window, frame, scratch)));
    AggregateEntries& entries = state_.aggregates[rule_index][i].slide(v.key, v.lower);
    if (entries.size() >= state_.max_entries_per_key) {
      entries.pop_front();
      ++state_.stats.capped;
      if (!state_.window_cap_logged[rule_index][i]) {
        state_.window_cap_logged[rule_index][i] = true;
        spdlog::warn(
            "rule {}: a window reached its cap of {} entries per key (first under key {}); the "
            "oldest entries are dropped from now on, so its count is at most the cap",
            rule.name, state_.max_entries_per_key,
            check::display_value(v.key_value, aggregate.key.type));
      }
    }
    AggregateEntry& entry = entries.push_back();
    entry.id.assign(event->id);
    entry.time = event->time;
    if (aggregate.value) {
      entry.value = evaluate_ref(*aggregate.value, frame, scratch);
    } else {
      entry.value = Absent{};
    }
    entry.left_out_by = left_out_by;
    v.entries = &entries;
  }
  if (left_out_by) return;
  for (std::size_t i = 0; i < rule.aggregates.size(); ++i) {
    const check::Aggregate& aggregate = rule.aggregates[i];
    if (aggregate.after) {
      Value after = evaluate(*aggregate.after, frame);
      if (const auto* t = std::get_if<Time>(&after)) views[i].after = *t;
    }
    LocalValue& slot = frame.locals[aggregate.local];
    slot.value = aggregate_value(aggregate, views[i], distinct_scratch_);
    slot.ready = true;
  }
  for (std::size_t c = 0; c < rule.conditions.size(); ++c) {
    if (!holds(rule.conditions[c], frame)) return;
    if (coverage) ++coverage->conditions[c];
  }
  fire(frame, views, timer);
}

namespace {

std::string decision_id(const check::Policy& policy, const check::Rule& rule, std::size_t action,
                        const Event& event, bool timer, const std::string& subject) {
  // A timer is identified by its hold, subject and due time; an event by its id.
  std::string cause = timer ? fmt::format("timer:{}:{}:{}", std::get<std::string>(event.fields[0]),
                                          std::get<std::string>(event.fields[1]), event.time.micros)
                            : "event:" + event.id;
  // Appended, not formatted: this runs for every decision. The bytes are the ids' contract.
  std::string hashed;
  hashed.reserve(policy.hash.size() + rule.name.size() + cause.size() + subject.size() + 24);
  hashed.append(policy.hash).append(1, '\n').append(rule.name).append(1, '\n');
  hashed.append(std::to_string(action)).append(1, '\n').append(cause).append(1, '\n');
  hashed.append(subject);
  std::string digest = Sha256::hex(hashed);
  return "d-" + digest.substr(0, 24);
}

void add_unique(std::vector<std::string>& ids, std::unordered_set<std::string>& seen,
                const std::string& id) {
  if (!id.empty() && seen.insert(id).second) ids.push_back(id);
}

std::vector<std::string> evidence_ids(const std::vector<EvidenceRef>& refs, Frame& frame,
                                      const std::vector<AggregateView>& views, bool timer) {
  std::vector<std::string> ids;
  std::unordered_set<std::string> seen;
  for (const auto& ref : refs) {
    if (ref.kind == EvidenceRef::Kind::trigger) {
      if (!timer) add_unique(ids, seen, frame.event->id);
      continue;
    }
    const check::Local& def = frame.rule.locals[ref.local];
    LocalValue& slot = local(frame, ref.local);
    switch (def.source) {
      case check::Local::Source::latest:
        if (slot.record) add_unique(ids, seen, slot.record->id);
        break;
      case check::Local::Source::earlier:
        for (const auto* record : slot.decisions) add_unique(ids, seen, record->trigger);
        break;
      case check::Local::Source::aggregate: {
        AggregateLists lists = list_aggregate(views[def.index]);
        if (ref.kind == EvidenceRef::Kind::first_per_value) {
          std::unordered_set<std::string> values;
          for (const auto* entry : lists.counted) {
            std::string key;
            append_key(key, entry->value);
            if (values.insert(key).second) add_unique(ids, seen, entry->id);
          }
        } else {
          for (const auto* entry : lists.counted) add_unique(ids, seen, entry->id);
        }
        break;
      }
      case check::Local::Source::value:
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

std::string render_message(const check::Message& message, Frame& frame) {
  std::string out;
  for (const auto& part : message.parts) {
    if (part.value) {
      out += check::display_value(evaluate(*part.value, frame), part.value->type);
    } else {
      out += part.text;
    }
  }
  return out;
}

void RuleRunner::fire(Frame& frame, const std::vector<AggregateView>& views, bool timer) {
  const check::Rule& rule = frame.rule;
  for (std::uint32_t i = 0; i < rule.locals.size(); ++i) local(frame, i);
  // The trace is built only when a decision is emitted: re-evaluate the (pure) conditions,
  // recording. It shows the state as the rule found it, so it is built before the rule's first
  // change to state. Many firings emit nothing (a hold already placed, a postponement).
  // Values are recorded only from then on, so a firing that emits nothing records nothing.
  Recorder recorder;
  std::optional<Trace> base;
  auto explained = [&]() -> const Trace& {
    if (!base) {
      frame.recorder = &recorder;
      // The trace evaluates the conditions again: that is not exercising them a second time.
      RuleCoverage* counting = std::exchange(frame.coverage, nullptr);
      base = build_trace(frame, views);
      frame.coverage = counting;
    }
    return *base;
  };
  bool emits_besides_postponing =
      std::any_of(rule.actions.begin(), rule.actions.end(),
                  [](const check::ActionDef& a) { return a.kind != ActionKind::postpone; });
  bool shadow = rule.mode == check::Mode::shadow;
  const Event& event = *frame.event;
  for (std::size_t a = 0; a < rule.actions.size(); ++a) {
    const check::ActionDef& action = rule.actions[a];
    auto subject = text_value(evaluate(action.subject, frame));
    auto name = text_value(evaluate(action.name, frame));
    if (!subject || !name) {
      spdlog::warn("rule {}: action {} skipped: its subject or name is absent", rule.name, a + 1);
      continue;
    }
    Decision d;
    d.id = decision_id(policy_, rule, a, event, timer, *subject);
    d.name = *name;
    d.subject = *subject;
    d.time = frame.now;
    if (!timer) d.trigger = event.id;
    d.rule = rule.name;
    d.policy = policy_.versioned_name();
    d.policy_hash = policy_.hash;
    d.shadow = shadow;
    std::vector<EvidenceRef> evidence = action.evidence;
    const check::Message* message = action.message ? &*action.message : nullptr;
    switch (action.kind) {
      case ActionKind::hold: {
        if (const HoldState* held = state_.holds.find(*subject, *name); held && held->active) {
          continue;  // already held: a hold is placed once
        }
        d.kind = DecisionKind::hold;
        d.explanation = explained();
        Duration wait = std::get<Duration>(evaluate(*action.appeal_after, frame));
        d.appeal_eligible_at = add(frame.now, wait);
        d.scope = action.scope;
        if (!shadow) {
          HoldState* hold = &state_.holds.get(*subject, *name);
          hold->active = true;
          hold->placed_at = frame.now;
          hold->appeal_at = *d.appeal_eligible_at;
          hold->fired_dues.clear();
          ++hold->generation;
          state_.timers.push(
              {hold->appeal_at, state_.timer_order++, *subject, *name, hold->generation});
        }
        break;
      }
      case ActionKind::release: {
        // Looked up, not created: releasing what was never held leaves no state behind.
        const HoldState* held = state_.holds.find(*subject, *name);
        if (!held || !held->active) continue;  // nothing to lift
        d.kind = DecisionKind::release;
        d.explanation = explained();
        if (!shadow) {
          HoldState& hold = state_.holds.get(*subject, *name);
          hold.active = false;
          hold.released_at = frame.now;
        }
        break;
      }
      case ActionKind::alert:
        d.kind = DecisionKind::alert;
        d.explanation = explained();
        d.severity = action.severity;
        break;
      case ActionKind::eligibility: {
        d.kind = DecisionKind::eligibility;
        d.explanation = explained();
        const check::EligibilityBranch* chosen = nullptr;
        for (const auto& deny : action.denies) {
          bool applies = !deny.condition || holds(*deny.condition, frame);
          if (deny.condition) {
            d.explanation.conditions.push_back(
                {"deny", deny.reason, applies, trace_expr(*deny.condition, recorder)});
          }
          if (applies) {
            chosen = &deny;
            break;
          }
        }
        if (frame.coverage) {
          std::size_t outcome = chosen ? static_cast<std::size_t>(chosen - action.denies.data())
                                       : action.denies.size();
          if (chosen || action.allow) ++frame.coverage->outcomes[a][outcome];
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
          continue;
        }
        evidence = chosen->evidence;
        message = &chosen->message;
        break;
      }
      case ActionKind::postpone: {
        const HoldState* found = state_.holds.find(*subject, *name);
        Value until = evaluate(*action.until, frame);
        const auto* due = std::get_if<Time>(&until);
        if (!shadow && found && found->active && due && *due != found->appeal_at) {
          if (frame.coverage) ++frame.coverage->outcomes[a][0];
          if (emits_besides_postponing) explained();  // before the change, as it stands
          HoldState& held = state_.holds.get(*subject, *name);
          held.appeal_at = *due;
          state_.timers.push({*due, state_.timer_order++, *subject, *name, held.generation});
        }
        continue;  // postponing emits nothing of its own
      }
    }
    if (frame.coverage && action.kind != ActionKind::eligibility) ++frame.coverage->outcomes[a][0];
    d.evidence = evidence_ids(evidence, frame, views, timer);
    if (message) d.explanation.summary = render_message(*message, frame);
    emit(std::move(d));
  }
  for (auto& r : recorded_) {
    if (!state_.history.record(r.need, r.subject, std::move(r.record),
                               state_.max_decisions_per_subject)) {
      continue;
    }
    ++state_.stats.capped;
    auto need = static_cast<std::size_t>(r.need);
    if (!state_.history_cap_logged[need]) {
      state_.history_cap_logged[need] = true;
      spdlog::warn(
          "the {} {} decisions remembered for `earlier` reached their cap of {} per subject "
          "(first for {}); the oldest are forgotten from now on",
          check::decision_kind_name(plan_.histories[need].kind), plan_.histories[need].name,
          state_.max_decisions_per_subject, r.subject);
    }
  }
  recorded_.clear();
}

void RuleRunner::emit(Decision decision) {
  EngineStats& stats = state_.stats;
  if (decision.shadow) {
    ++stats.shadow;
    spdlog::info("shadow {} {} on {} by rule {} (not emitted)",
                 check::decision_kind_name(decision.kind), decision.name, decision.subject,
                 decision.rule);
    sink_.on_decision(decision);
    return;
  }
  switch (decision.kind) {
    case DecisionKind::hold:
      ++stats.holds;
      break;
    case DecisionKind::release:
      ++stats.releases;
      break;
    case DecisionKind::alert:
      ++stats.alerts;
      break;
    case DecisionKind::eligibility:
      ++stats.eligibilities;
      break;
  }
  int need = plan_.history_index(decision.kind, decision.name);
  if (need >= 0) {
    std::optional<bool> eligible;
    if (decision.kind == DecisionKind::eligibility) eligible = decision.eligible;
    recorded_.push_back(
        {need, decision.subject, {decision.time, eligible, decision.trigger.value_or("")}});
  }
  sink_.on_decision(decision);
}

}  // namespace bylaw::runtime
