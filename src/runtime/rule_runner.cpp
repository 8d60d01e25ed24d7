#include "rule_runner.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "hops.hpp"

namespace bylaw::runtime {

using check::ActionKind;
using check::DecisionKind;

EngineState::EngineState(const check::Policy& policy, const plan::Plan& plan,
                         const EngineOptions& options)
    : history(plan),
      max_entries_per_key(std::max<std::size_t>(options.max_entries_per_key, 1)),
      max_decisions_per_subject(std::max<std::size_t>(options.max_decisions_per_subject, 1)),
      traces(options.traces),
      history_cap_logged(plan.histories.size(), false) {
  for (const auto& rule : policy.rules) {
    correlations.emplace_back(rule.correlations.size());
    for (std::size_t c = 0; c < rule.correlations.size(); ++c) {
      if (rule.correlations[c].within) correlations.back()[c].expire_by_time();
    }
    aggregates.emplace_back(rule.aggregates.size());
    for (std::size_t a = 0; a < rule.aggregates.size(); ++a) {
      const check::Aggregate& aggregate = rule.aggregates[a];
      if (aggregate.distinct && aggregate.function == check::AggregateFunction::count) {
        aggregates.back()[a].count_distinct();
      }
    }
    window_cap_logged.emplace_back(rule.aggregates.size(), false);
  }
}

RuleRunner::RuleRunner(const check::Policy& policy, const plan::Plan& plan, EngineState& state,
                       DecisionSink& sink, ClauseObserver* observer)
    : policy_(policy),
      plan_(plan),
      state_(state),
      sink_(sink),
      observer_(observer),
      lets_(policy.rules.size()),
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
  // A count kept by the window's key (no `after` that leaves some out; for a count distinct,
  // over many entries): no recount.
  if (view.window_key && !view.after && aggregate.function == check::AggregateFunction::count) {
    if (auto kept = view.window_key->count_after(view.lower, aggregate.distinct)) return *kept;
  }
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
      std::uint64_t hash = keyed_hash(distinct_keys[i]);
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

void pack_reads(const Event& event, std::uint64_t mask, std::string& out) {
  out.clear();
  put_varint(out, mask);
  for (std::size_t slot = 0; mask >> slot != 0; ++slot) {
    if (mask >> slot & 1) put_value(out, event.fields[slot]);
  }
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
  Frame frame(policy_, rule, rule_index, view, event.get(), event->time, lets_[rule_index]);
  frame.observer = observer_;
  if (gate_) gate_->begin_rule();
  frame.gate = gate_;
  std::uint64_t reads = 0;
  if (!rule.aggregates.empty()) frame.trigger_reads = &reads;
  for (std::size_t g = 0; g < rule.guards.size(); ++g) {
    if (!is_true(rule.guards[g], frame)) return;
    if (observer_) observer_->guard_held(rule_index, g);
  }
  const std::string* left_out_by = nullptr;
  for (std::size_t x = 0; x < rule.exclusions.size(); ++x) {
    if (is_true(rule.exclusions[x].condition, frame)) {
      left_out_by = &rule.exclusions[x].reason;
      if (observer_) observer_->excluded(rule_index, x);
      break;
    }
  }
  frame.trigger_reads = nullptr;
  if (!rule.aggregates.empty()) pack_reads(*event, reads, reads_scratch_);
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
    if (gate_) gate_->write(v.key);
    AggregateWindow& window = state_.aggregates[rule_index][i];
    WindowKey& keyed = window.slide(v.key, v.lower);
    if (keyed.entries().size() >= state_.max_entries_per_key) {
      keyed.drop_oldest();
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
    AggregateEntry& entry = keyed.add();
    entry.id.assign(event->id);
    entry.time = event->time;
    if (aggregate.value) {
      entry.value = evaluate_ref(*aggregate.value, frame, scratch);
    } else {
      entry.value = Absent{};
    }
    entry.left_out_by = left_out_by;
    entry.reads.assign(reads_scratch_);
    keyed.added(window.counts_distinct());
    v.entries = &keyed.entries();
    v.window_key = &keyed;
  }
  if (left_out_by) return;
  for (std::size_t i = 0; i < rule.aggregates.size(); ++i) {
    const check::Aggregate& aggregate = rule.aggregates[i];
    if (aggregate.after) {
      Value after = evaluate(*aggregate.after, frame);
      if (const auto* t = std::get_if<Time>(&after)) views[i].after = *t;
    }
    LetValue& slot = frame.lets[aggregate.let];
    slot.value = aggregate_value(aggregate, views[i], distinct_scratch_);
    slot.ready = true;
  }
  for (std::size_t c = 0; c < rule.conditions.size(); ++c) {
    if (!is_true(rule.conditions[c], frame)) return;
    if (observer_) observer_->condition_held(rule_index, c);
  }
  Firing firing{frame, views, timer, {}, {}};
  fire(firing);
}

namespace {

Value time_or_absent(const std::optional<Time>& time) {
  return time ? Value(*time) : Value(Absent{});
}

// A decision as the record a rule on decision reads (check::decision_type_name's fields).
EventPtr decision_record(const Decision& d, std::uint32_t type) {
  Event record;
  record.type = static_cast<int>(type);
  record.id = d.id;
  record.time = d.time;
  record.fields = {Value(d.subject), Value(d.rule),
                   d.trigger ? Value(*d.trigger) : Value(Absent{})};
  switch (d.kind) {
    case DecisionKind::hold:
      record.fields.push_back(time_or_absent(d.appeal_eligible_at));
      record.fields.push_back(time_or_absent(d.expires_at));
      record.fields.push_back(Value(StringSet::from(d.scope)));
      break;
    case DecisionKind::release:
      break;
    case DecisionKind::alert:
      record.fields.push_back(Value(EnumValue{static_cast<std::uint32_t>(d.severity)}));
      break;
    case DecisionKind::eligibility:
      record.fields.push_back(Value(d.eligible));
      record.fields.push_back(d.eligible ? Value(Absent{}) : Value(d.reason));
      record.fields.push_back(time_or_absent(d.eligible_at));
      break;
  }
  return share(std::move(record));
}

}  // namespace

void RuleRunner::react(std::uint32_t rule_index, bool timer) {
  std::uint32_t type = *policy_.rules[rule_index].trigger_type;
  // By index: a reaction's decisions join the list (the checker keeps them of other types).
  for (std::size_t i = 0; i < made_.size(); ++i) {
    if (static_cast<std::uint32_t>(made_[i]->type) != type) continue;
    EventPtr decision = made_[i];
    run(rule_index, decision, timer);
  }
}

std::optional<std::string> Firing::trigger() const {
  if (frame.rule.on_decision) {
    const Value& cause = frame.event->fields[check::kDecisionTriggerSlot];
    if (const auto* id = std::get_if<std::string>(&cause)) return *id;
    return std::nullopt;
  }
  if (timer) return std::nullopt;
  return frame.event->id;
}

void RuleRunner::emit(Decision decision) {
  EngineStats& stats = state_.stats;
  if (decision.shadow) {
    ++stats.shadow;
    spdlog::info("shadow {} {} on {} by rule {} (not emitted)",
                 check::decision_kind_name(decision.kind), decision.name, decision.subject,
                 decision.rule);
    sink_.take_decision(std::move(decision));
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
  if (!plan_.reaction_types.empty()) {
    if (auto type = plan_.reaction_type(decision.kind, decision.name)) {
      made_.push_back(decision_record(decision, *type));
    }
  }
  std::optional<std::size_t> need = plan_.history_index(decision.kind, decision.name);
  // An answer no query reads (`earlier eligible ...` never reads a denial) is not kept.
  if (need && plan_.histories[*need].filtered &&
      decision.eligible != plan_.histories[*need].eligible) {
    need.reset();
  }
  if (need) {
    std::optional<bool> eligible;
    if (decision.kind == DecisionKind::eligibility) eligible = decision.eligible;
    recorded_.push_back(
        {*need, decision.subject, {decision.time, eligible, decision.trigger.value_or("")}});
  }
  sink_.take_decision(std::move(decision));
}

}  // namespace bylaw::runtime
