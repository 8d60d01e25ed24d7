// The engine's insides, shared by the files that implement it: engine.cpp evaluates,
// snapshot.cpp saves and restores. Not part of the public API.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <queue>
#include <string>

#include "bylaw/plan/plan.hpp"
#include "bylaw/runtime/engine.hpp"
#include "rule_runner.hpp"

namespace bylaw::runtime {

namespace engine_detail {

// Earliest first; equal times in input order.
struct EventLater {
  bool operator()(const EventPtr& a, const EventPtr& b) const {
    return a->time != b->time ? a->time > b->time : a->sequence > b->sequence;
  }
};

}  // namespace engine_detail

// Every this many events, windows are swept and keys with nothing left are freed.
constexpr std::uint64_t kSweepEvery = 65536;

struct Engine::Impl {
  const check::Policy& policy;
  plan::Plan plan;
  EngineOptions options;
  EngineState state;
  RuleRunner runner;
  std::priority_queue<EventPtr, std::vector<EventPtr>, engine_detail::EventLater> buffer;
  std::optional<Time> clock;  // the largest time of an accepted event
  std::uint64_t since_sweep = 0;
  // Also whenever event time has moved on by a 32nd of the shortest `latest ... within`: those
  // indexes hold events by time, so on a sparse stream a sweep by count alone would let them
  // outgrow their horizons many times over. (Sweeps change no answer: lookups and windows skip
  // what they would remove.)
  std::optional<Duration> sweep_step;
  std::optional<Time> next_sweep_at;
  std::vector<LetValue> filter_scratch;  // for `latest` filters, which use no lets
  std::string key_scratch;               // the key an event is indexed under, reused
  // Reasons of exclusions that left entries out under an earlier policy and are gone from this
  // one (a restore with a policy change): entries point at their text, which must outlive them.
  std::deque<std::string> carried_reasons;
  // Partitioned (partitions.hpp): whether this partition keeps an event in a rule's `latest`
  // index; unset, every index keeps every event.
  std::function<bool(std::uint32_t rule, std::uint32_t correlation, const Event& event)>
      index_owner;

  Impl(const check::Policy& p, EngineOptions o, DecisionSink& sink)
      : policy(p),
        plan(plan::make_plan(p)),
        options(o),
        state(p, plan, o),
        runner(p, plan, state, sink, o.observer),
        sweep_step(shortest_horizon(p)) {}

  static std::optional<Duration> shortest_horizon(const check::Policy& policy) {
    std::optional<std::int64_t> shortest;
    for (const auto& rule : policy.rules) {
      for (const auto& correlation : rule.correlations) {
        if (!correlation.within) continue;
        std::int64_t micros =
            std::get<Duration>(policy.constant(*correlation.within)).approximate_micros();
        if (!shortest || micros < *shortest) shortest = micros;
      }
    }
    if (!shortest) return std::nullopt;
    return Duration{0, std::max<std::int64_t>(*shortest / 32, 1)};
  }

  void evaluate(const EventPtr& event) {
    if (options.handoff) {
      options.handoff->evaluate(event, ++state.stats.evaluated);
      return;
    }
    fire_timers(event->time);
    run_step(plan.rules_by_type[static_cast<std::size_t>(event->type)], &event, false);
    index_correlations(event);
    count_and_sweep(event);
  }

  // After an event: counted, and every so often the windows and indexes swept.
  void count_and_sweep(const EventPtr& event) {
    ++state.stats.evaluated;
    bool due = ++since_sweep >= kSweepEvery;
    if (sweep_step) {
      if (!next_sweep_at) next_sweep_at = add(event->time, *sweep_step);
      due = due || event->time >= *next_sweep_at;
    }
    if (due) {
      since_sweep = 0;
      if (sweep_step) next_sweep_at = add(event->time, *sweep_step);
      sweep(event->time);
    }
  }

  // Timers fire before the event that moves the clock to or past them, in due order.
  void fire_timers(Time now) {
    while (!state.timers.empty() && state.timers.top().due <= now) {
      Timer timer = state.timers.top();
      state.timers.pop();
      if (timer.kind == TimerKind::scheduled) {
        fire_scheduled(timer);
        continue;
      }
      HoldState* hold = &state.holds.get(timer.subject, timer.hold);
      // Released or re-placed since it was set: stale.
      if (!hold->active || hold->generation != timer.generation) continue;
      if (timer.kind == TimerKind::expiry) {
        if (hold->expires_at != timer.due) continue;
        ++state.stats.timers_fired;
        runner.expire(timer);
        run_step(plan.expiry_rules, nullptr, true);
        continue;
      }
      if (hold->appeal_at != timer.due) continue;  // moved by a denial since it was set
      if (std::find(hold->fired_dues.begin(), hold->fired_dues.end(), timer.due) !=
          hold->fired_dues.end()) {
        continue;
      }
      hold->fired_dues.push_back(timer.due);
      ++state.stats.timers_fired;
      if (!plan.appeal_timer_type || plan.rules_by_type[*plan.appeal_timer_type].empty()) continue;
      Event due;
      due.type = static_cast<int>(*plan.appeal_timer_type);
      due.time = timer.due;
      due.fields = {timer.hold, timer.subject};
      EventPtr record = share(std::move(due));
      run_step(plan.rules_by_type[*plan.appeal_timer_type], &record, true);
    }
  }

  // An author's timer fires once, unless it was cancelled or moved since this Timer was set.
  void fire_scheduled(const Timer& timer) {
    const Scheduled* pending = state.schedules.find(timer.hold, timer.subject);
    if (!pending || pending->order != timer.generation) return;
    if (pending->due > timer.due) {  // moved later since this Timer was queued: re-arm it
      state.timers.push({pending->due, state.timer_order++, timer.subject, timer.hold,
                         pending->order, TimerKind::scheduled});
      return;
    }
    Time set_at = pending->set_at;
    state.schedules.erase(timer.hold, timer.subject);
    ++state.stats.timers_fired;
    int type = policy.schema.find(timer.hold);
    // A checkpoint may hold a timer the policy no longer has: it fires nothing.
    if (type < 0 || !policy.schema.types[static_cast<std::size_t>(type)].timer) return;
    Event fired;
    fired.type = type;
    fired.time = timer.due;
    fired.fields = {Value(timer.subject), Value(set_at)};
    EventPtr record = share(std::move(fired));
    run_step(plan.rules_by_type[static_cast<std::size_t>(type)], &record, true);
  }

  // One event or timer: its rules in the plan's order, each rule on decision once per decision
  // it reacts to, made before its turn (the order puts it after every rule that makes them).
  // `event` is null for an expiry, whose only rules are reactions to its release.
  void run_step(const std::vector<std::uint32_t>& rules, const EventPtr* event, bool timer) {
    for (auto rule : rules) {
      if (policy.rules[rule].on_decision) {
        runner.react(rule, timer);
      } else {
        runner.run(rule, *event, timer);
      }
    }
    runner.end_step();
  }

  // After the rules: `latest` never sees the event it is evaluated for.
  void index_correlations(const EventPtr& event) {
    for (const auto& ref : plan.correlations_by_type[static_cast<std::size_t>(event->type)]) {
      // Partitioned: only the indexes of the keys this partition owns.
      if (index_owner && !index_owner(ref.rule, ref.correlation, *event)) continue;
      const check::Rule& rule = policy.rules[ref.rule];
      const check::Correlation& correlation = rule.correlations[ref.correlation];
      if (correlation.filter) {
        StateView view{state.holds, state.history, state.correlations, plan};
        Frame frame(policy, rule, ref.rule, view, nullptr, event->time, filter_scratch);
        frame.candidate = event.get();
        if (!is_true(*correlation.filter, frame)) continue;
      }
      std::string& key = key_scratch;
      key.clear();
      bool complete = true;
      for (auto slot : correlation.key_slots) {
        if (slot == check::kEnvelopeIdSlot) {
          append_key(key, std::string_view(event->id));
          continue;
        }
        if (slot == check::kEnvelopeTimeSlot) {
          append_key(key, Value(event->time));
          continue;
        }
        const Value& value = event->fields[static_cast<std::size_t>(slot)];
        if (is_absent(value)) {
          complete = false;
          break;
        }
        append_key(key, value);
      }
      if (complete) state.correlations[ref.rule][ref.correlation].put(key, *event);
    }
  }

  void sweep(Time now) {
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      const check::Rule& rule = policy.rules[r];
      for (std::size_t a = 0; a < rule.aggregates.size(); ++a) {
        Duration window = std::get<Duration>(policy.constant(rule.aggregates[a].window));
        state.aggregates[r][a].sweep(subtract(now, window));
      }
      for (std::size_t c = 0; c < rule.correlations.size(); ++c) {
        if (const auto& within = rule.correlations[c].within) {
          state.correlations[r][c].sweep(
              subtract(now, std::get<Duration>(policy.constant(*within))));
        }
      }
    }
    state.history.sweep(now);
  }

  void release(Time watermark) {
    while (!buffer.empty() && buffer.top()->time <= watermark) {
      EventPtr event = buffer.top();
      buffer.pop();
      evaluate(event);
    }
  }
};

}  // namespace bylaw::runtime
