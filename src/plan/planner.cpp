#include "bylaw/check/schema.hpp"
#include "bylaw/plan/plan.hpp"

namespace bylaw::plan {

std::optional<std::size_t> Plan::history_index(check::DecisionKind kind,
                                               const std::string& name) const {
  for (std::size_t i = 0; i < histories.size(); ++i) {
    if (histories[i].kind == kind && histories[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> Plan::reaction_type(check::DecisionKind kind,
                                                 const std::string& name) const {
  for (const auto& r : reaction_types) {
    if (r.kind == kind && r.name == name) return r.type;
  }
  return std::nullopt;
}

namespace {

// The longest window any `earlier` needs for this kind and name; none wins over any duration.
void need_history(Plan& plan, const check::HistoryQuery& query, const check::Policy& policy) {
  std::optional<Duration> horizon;
  if (query.within) {
    horizon = std::get<Duration>(policy.constant(*query.within));
  }
  std::optional<std::size_t> index = plan.history_index(query.kind, query.name);
  if (!index) {
    plan.histories.push_back({query.kind, query.name, horizon, query.eligible.has_value(),
                              query.eligible.value_or(false)});
    return;
  }
  HistoryNeed& need = plan.histories[*index];
  if (!query.eligible || *query.eligible != need.eligible) need.filtered = false;
  if (!need.horizon) return;
  if (!horizon || compare(*horizon, *need.horizon) > 0) need.horizon = horizon;
}

// Which rules run in one step started by `starts` (the rules of one trigger type, or none for an
// expiry): those, and every rule on decision that reacts to a rule that runs. In policy order.
std::vector<std::uint32_t> step_rules(const check::Policy& policy, std::vector<bool> runs,
                                      bool expiry) {
  for (bool grew = true; grew;) {
    grew = false;
    for (std::uint32_t r = 0; r < policy.rules.size(); ++r) {
      const check::Rule& rule = policy.rules[r];
      if (runs[r] || rule.mode == check::Mode::off || !rule.on_decision) continue;
      bool set_off = expiry && rule.reacts_to_expiry;
      for (auto source : rule.reacts_to) set_off = set_off || runs[source];
      if (set_off) runs[r] = grew = true;
    }
  }
  std::vector<std::uint32_t> out;
  for (auto r : policy.order) {
    if (runs[r]) out.push_back(r);
  }
  return out;
}

}  // namespace

Plan make_plan(const check::Policy& policy) {
  Plan plan;
  std::size_t types = policy.schema.types.size();
  plan.rules_by_type.resize(types);
  plan.correlations_by_type.resize(types);
  plan.history_of.resize(policy.rules.size());
  if (int timer = policy.schema.find(check::kAppealDueTimer); timer >= 0) {
    plan.appeal_timer_type = static_cast<std::uint32_t>(timer);
  }
  for (std::size_t type = 0; type < types; ++type) {
    std::vector<bool> runs(policy.rules.size(), false);
    bool any = false;
    for (std::uint32_t r = 0; r < policy.rules.size(); ++r) {
      const check::Rule& rule = policy.rules[r];
      if (rule.mode == check::Mode::off || rule.on_decision || rule.trigger_type != type) continue;
      runs[r] = any = true;
    }
    if (any) plan.rules_by_type[type] = step_rules(policy, std::move(runs), false);
    const check::EventTypeDef& def = policy.schema.types[type];
    if (def.decision) {
      plan.reaction_types.push_back(
          {*def.decision, def.decision_name, static_cast<std::uint32_t>(type)});
    }
  }
  plan.expiry_rules = step_rules(policy, std::vector<bool>(policy.rules.size(), false), true);
  for (std::uint32_t r = 0; r < policy.rules.size(); ++r) {
    const check::Rule& rule = policy.rules[r];
    if (rule.mode == check::Mode::off || !rule.trigger_type) continue;
    for (std::uint32_t c = 0; c < rule.correlations.size(); ++c) {
      auto type = static_cast<std::size_t>(rule.correlations[c].event_type);
      plan.correlations_by_type[type].push_back({r, c});
    }
    for (const auto& query : rule.histories) {
      need_history(plan, query, policy);
      plan.history_of[r].push_back(*plan.history_index(query.kind, query.name));
    }
  }
  return plan;
}

}  // namespace bylaw::plan
