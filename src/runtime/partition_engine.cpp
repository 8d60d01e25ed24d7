// One partition's engine (bylaw/runtime/partitions.hpp): an Engine whose rules pass a HopGate,
// run a rule at a time as the router's routes say, and whose `latest` indexes keep only the keys
// this partition owns.
#include <fmt/format.h>

#include "bylaw/plan/keys.hpp"
#include "bylaw/runtime/partitions.hpp"
#include "engine_impl.hpp"
#include "hops.hpp"

namespace bylaw::runtime {

struct PartitionEngine::Impl {
  Engine engine;
  Engine::Impl& core;
  HopGate gate;
  // The slot of an indexed event's field that partitions each rule's `latest` index
  // ([rule][correlation]; none: the index is not read by any rule that runs).
  std::vector<std::vector<std::optional<std::int32_t>>> index_slots;
  std::string key;            // scratch
  EventPtr event;             // the event whose work is under way
  std::size_t next_rule = 0;  // into the plan's rules for its type: reactions run in their turn

  Impl(const check::Policy& policy, EngineOptions options, DecisionSink& sink,
       std::uint32_t partition, std::uint32_t partitions)
      : engine(policy, options, sink), core(*engine.impl_), gate(partition, partitions) {
    plan::KeyAnalysis analysis = plan::analyse_keys(policy, core.plan);
    gate.latest_parts.resize(policy.rules.size());
    index_slots.resize(policy.rules.size());
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      gate.latest_parts[r].assign(policy.rules[r].correlations.size(), 0);
      index_slots[r].assign(policy.rules[r].correlations.size(), std::nullopt);
    }
    for (const auto& keys : analysis.rules) {
      for (const auto& access : keys.accesses) {
        if (access.kind != plan::StateKind::latest) continue;
        gate.latest_parts[keys.rule_index][static_cast<std::size_t>(access.correlation)] =
            access.partition_part;
      }
    }
    for (const auto& feed : analysis.feeds)
      index_slots[feed.rule_index][feed.correlation] = feed.slot;
    core.runner.set_gate(&gate);
    core.index_owner = [this](std::uint32_t rule, std::uint32_t correlation, const Event& e) {
      const auto& slot = index_slots[rule][correlation];
      if (!slot) return false;
      key.clear();
      if (*slot == check::kEnvelopeIdSlot) {
        append_key(key, std::string_view(e.id));
      } else if (*slot == check::kEnvelopeTimeSlot) {
        append_key(key, Value(e.time));
      } else {
        append_key(key, e.fields[static_cast<std::size_t>(*slot)]);
      }
      return gate.owns(key);
    };
  }

  const std::vector<std::uint32_t>& rules_of_event() const {
    return core.plan.rules_by_type[static_cast<std::size_t>(event->type)];
  }

  // Reactions placed before `until` in the plan's order (all that are left, with none) run now,
  // on the decisions this partition made for the event so far.
  void react_until(std::optional<std::uint32_t> until) {
    const auto& rules = rules_of_event();
    for (; next_rule < rules.size(); ++next_rule) {
      std::uint32_t rule = rules[next_rule];
      if (until && rule == *until) return;
      if (core.policy.rules[rule].on_decision) core.runner.react(rule, false);
    }
  }
};

PartitionEngine::PartitionEngine(const check::Policy& policy, EngineOptions options,
                                 DecisionSink& sink, std::uint32_t partition,
                                 std::uint32_t partitions)
    : impl_(std::make_unique<Impl>(policy, options, sink, partition, partitions)) {}

PartitionEngine::~PartitionEngine() = default;

void PartitionEngine::begin(const EventPtr& event) {
  impl_->core.fire_timers(event->time);
  impl_->event = event;
  impl_->next_rule = 0;
}

Hop PartitionEngine::run(const EventRoute::Work& work, const Hop* in) {
  Impl& impl = *impl_;
  impl.react_until(work.rule);
  if (impl.next_rule == impl.rules_of_event().size()) {
    throw PartitionError(fmt::format("rule {} is routed out of the plan's order",
                                     impl.core.policy.rules[work.rule].name));
  }
  ++impl.next_rule;
  if (in && in->ended) return Hop{true, {}};
  impl.gate.start(in ? decode_reads(in->reads) : HopReads{}, work.forwards);
  try {
    impl.core.runner.run(work.rule, impl.event, false);
  } catch (const ForwardNeeded&) {
    return Hop{false, encode_reads(impl.gate.reads())};
  }
  return Hop{true, {}};
}

void PartitionEngine::end(bool indexed) {
  Impl& impl = *impl_;
  impl.react_until(std::nullopt);
  impl.core.runner.end_step();
  if (indexed) impl.core.index_correlations(impl.event);
  impl.core.count_and_sweep(impl.event);
  impl.event.reset();
}

void PartitionEngine::advance(Time time) {
  impl_->core.fire_timers(time);
}

void PartitionEngine::save(std::string& out) const {
  impl_->engine.save(out);
}

RestoreReport PartitionEngine::restore(std::string_view bytes) {
  return impl_->engine.restore(bytes);
}

const EngineStats& PartitionEngine::stats() const {
  return impl_->engine.stats();
}

StateSize PartitionEngine::state_size() const {
  return impl_->engine.state_size();
}

}  // namespace bylaw::runtime
