// The router's half of partitioned evaluation (bylaw/runtime/partitions.hpp): where each
// evaluated event goes, from the key analysis (plan/keys.hpp).
#include <algorithm>

#include <fmt/format.h>

#include "bylaw/plan/keys.hpp"
#include "bylaw/runtime/partitions.hpp"
#include "evaluator.hpp"
#include "rule_runner.hpp"

namespace bylaw::runtime {

namespace {

// Why a rule cannot run partitioned yet, or nothing.
std::string refusal(const check::Policy& policy, const plan::RuleKeys& keys) {
  const check::Rule& rule = policy.rules[keys.rule_index];
  bool own_subject = rule.trigger_type && (policy.schema.types[*rule.trigger_type].timer ||
                                           policy.schema.types[*rule.trigger_type].decision);
  if (own_subject && keys.steps.size() > 1) {
    return "it is set off by a timer or a decision and needs state under more than one key";
  }
  // A route that comes back to a partition it passed would meet the rule there twice.
  if (keys.steps.size() > 2) {
    return fmt::format("it needs {} steps; partitions run rules of one or two", keys.steps.size());
  }
  for (std::size_t s = 0; s < keys.steps.size(); ++s) {
    const plan::Step& step = keys.steps[s];
    if (!own_subject && !step.from_trigger) {
      return fmt::format("step {} is keyed by {}, which is not known before the rule runs", s + 1,
                         step.key);
    }
    if (s + 1 == keys.steps.size()) break;
    for (auto a : step.accesses) {
      if (keys.accesses[a].writes) {
        return fmt::format("step {} writes ({}) before a later step", s + 1, keys.accesses[a].what);
      }
    }
  }
  for (const auto& correlation : rule.correlations) {
    if (correlation.filter && plan::reads_hold(*correlation.filter)) {
      return fmt::format("the filter of latest ... as {} reads holds", correlation.alias);
    }
  }
  return {};
}

}  // namespace

std::vector<std::uint32_t> EventRoute::partitions() const {
  std::vector<std::uint32_t> all = indexes;
  for (const auto& rule : rules)
    all.insert(all.end(), rule.partitions.begin(), rule.partitions.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

std::vector<EventRoute::Work> EventRoute::work_at(std::uint32_t partition) const {
  std::vector<Work> work;
  for (const auto& rule : rules) {
    const auto& route = rule.partitions;
    for (std::size_t hop = 0; hop < route.size(); ++hop) {
      if (route[hop] != partition) continue;
      Work w;
      w.rule = rule.rule;
      w.hop = hop;
      if (hop > 0) w.from = route[hop - 1];
      w.forwards = hop + 1 < route.size();
      if (w.forwards) w.to = route[hop + 1];
      work.push_back(w);
    }
  }
  return work;
}

bool EventRoute::indexed_at(std::uint32_t partition) const {
  return std::find(indexes.begin(), indexes.end(), partition) != indexes.end();
}

struct Router::Impl {
  struct RoutedRule {
    std::uint32_t rule;
    std::vector<const check::TExpr*> step_keys;  // none: the rule keeps no state
  };
  struct Feed {
    std::int32_t slot;
  };

  const check::Policy& policy;
  plan::Plan plan;
  std::uint32_t partitions;
  EngineState empty;  // the router evaluates keys of the trigger only: no state is read
  std::vector<std::vector<RoutedRule>> rules_by_type;
  std::vector<std::vector<Feed>> feeds_by_type;
  std::vector<std::vector<LetValue>> lets;  // per rule, scratch
  std::string key;                          // scratch

  Impl(const check::Policy& p, std::uint32_t n)
      : policy(p),
        plan(plan::make_plan(p)),
        partitions(std::max<std::uint32_t>(n, 1)),
        empty(p, plan, EngineOptions{}),
        rules_by_type(p.schema.types.size()),
        feeds_by_type(p.schema.types.size()),
        lets(p.rules.size()) {
    plan::KeyAnalysis analysis = plan::analyse_keys(policy, plan);
    std::vector<const plan::RuleKeys*> keys_of(policy.rules.size(), nullptr);
    for (const auto& keys : analysis.rules) {
      if (std::string why = refusal(policy, keys); !why.empty()) {
        throw PartitionError(
            fmt::format("rule {} cannot run partitioned: {} (docs/scaling.md)", keys.rule, why));
      }
      keys_of[keys.rule_index] = &keys;
    }
    for (std::size_t type = 0; type < plan.rules_by_type.size(); ++type) {
      for (auto r : plan.rules_by_type[type]) {
        // Rules on decisions run where the decision is made; timers fire where they were set.
        if (policy.rules[r].on_decision || !keys_of[r]) continue;
        RoutedRule routed{r, {}};
        for (const auto& step : keys_of[r]->steps) routed.step_keys.push_back(step.key_expr);
        rules_by_type[type].push_back(std::move(routed));
      }
    }
    for (const auto& feed : analysis.feeds) {
      int type = policy.schema.find(feed.event_type);
      if (type >= 0) feeds_by_type[static_cast<std::size_t>(type)].push_back({feed.slot});
    }
  }

  std::uint32_t partition_of_value(const Value& value) {
    key.clear();
    append_key(key, value);
    return partition_of(key, partitions);
  }

  // Into `route` (cleared first, its buffer kept from event to event).
  void route_rule(const RoutedRule& routed, const EventPtr& event,
                  std::vector<std::uint32_t>& route) {
    route.clear();
    if (routed.step_keys.empty()) {  // no keyed state: anywhere will do, so spread by event
      route.push_back(partition_of_value(Value(event->id)));
      return;
    }
    const check::Rule& rule = policy.rules[routed.rule];
    StateView view{empty.holds, empty.history, empty.correlations, plan};
    Frame frame(policy, rule, routed.rule, view, event.get(), event->time, lets[routed.rule]);
    for (const check::TExpr* step_key : routed.step_keys) {
      Value scratch;
      std::uint32_t at = partition_of_value(evaluate_ref(*step_key, frame, scratch));
      if (route.empty() || route.back() != at) route.push_back(at);
    }
  }

  std::uint32_t feed_partition(const Event& event, std::int32_t slot) {
    if (slot == check::kEnvelopeIdSlot) return partition_of_value(Value(event.id));
    if (slot == check::kEnvelopeTimeSlot) return partition_of_value(Value(event.time));
    return partition_of_value(event.fields[static_cast<std::size_t>(slot)]);
  }
};

Router::Router(const check::Policy& policy, std::uint32_t partitions)
    : impl_(std::make_unique<Impl>(policy, partitions)) {}

Router::~Router() = default;

std::uint32_t Router::partitions() const {
  return impl_->partitions;
}

void Router::route(const EventPtr& event, EventRoute& out) {
  out.indexes.clear();
  auto type = static_cast<std::size_t>(event->type);
  const auto& routed = impl_->rules_by_type[type];
  out.rules.resize(routed.size());  // the routes keep their buffers
  for (std::size_t i = 0; i < routed.size(); ++i) {
    out.rules[i].rule = routed[i].rule;
    impl_->route_rule(routed[i], event, out.rules[i].partitions);
  }
  for (const auto& feed : impl_->feeds_by_type[type]) {
    std::uint32_t at = impl_->feed_partition(*event, feed.slot);
    if (!out.indexed_at(at)) out.indexes.push_back(at);
  }
}

}  // namespace bylaw::runtime
