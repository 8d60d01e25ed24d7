#include "rule_order.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <set>

#include <fmt/format.h>

#include "bylaw/core/suggest.hpp"
#include "contradictions.hpp"

namespace bylaw::check {

namespace {

// Something a rule reads or writes that another rule on the same event may write or read.
struct Access {
  enum class Kind : std::uint8_t { hold, decisions, timer };
  Kind kind = Kind::hold;
  DecisionKind decisions = DecisionKind::hold;  // Kind::decisions
  std::string name;                             // empty: any name (a hold named by a value)

  bool meets(const Access& other) const {
    if (kind != other.kind) return false;
    if (kind == Kind::decisions && decisions != other.decisions) return false;
    return name.empty() || other.name.empty() || name == other.name;
  }

  std::string describe() const {
    std::string what = name.empty() ? std::string("any") : name;
    switch (kind) {
      case Kind::hold:
        return fmt::format("the state of hold {}", what);
      case Kind::decisions:
        return fmt::format("{} {} decisions", decision_kind_name(decisions), what);
      case Kind::timer:
        return fmt::format("timer {}", what);
    }
    return what;
  }
};

struct Accesses {
  std::vector<Access> reads;
  std::vector<Access> writes;
};

void expressions(const Rule& rule, const std::function<void(const TExpr&)>& visit) {
  for (const auto& let : rule.lets) {
    if (let.value) visit(*let.value);
  }
  for (const auto& c : rule.correlations) {
    for (const auto& probe : c.probes) visit(probe);
    if (c.filter) visit(*c.filter);
  }
  for (const auto& h : rule.histories) {
    visit(h.subject);
    if (h.after) visit(*h.after);
  }
  for (const auto& a : rule.aggregates) {
    visit(a.key);
    if (a.value) visit(*a.value);
    if (a.after) visit(*a.after);
  }
  for (const auto& g : rule.guards) visit(g);
  for (const auto& x : rule.exclusions) visit(x.condition);
  for (const auto& c : rule.conditions) visit(c);
  auto message = [&visit](const Message& m) {
    for (const auto& part : m.parts) {
      if (part.value) visit(*part.value);
    }
  };
  for (const auto& action : rule.actions) {
    visit(action.subject);
    if (action.appeal_after) visit(*action.appeal_after);
    if (action.until) visit(*action.until);
    if (action.after) visit(*action.after);
    if (action.message) message(*action.message);
    for (const auto& branch : action.denies) {
      if (branch.condition) visit(*branch.condition);
      if (branch.until) visit(*branch.until);
      message(branch.message);
    }
    if (action.allow) message(action.allow->message);
  }
}

// held(), appeal_at(), placed_at() and released_at() read a hold's state.
void hold_reads(const TExpr& expr, std::vector<Access>& reads) {
  if (expr.kind == TExpr::Kind::call && expr.builtin != Builtin::exists &&
      expr.builtin != Builtin::size && expr.args.size() == 2) {
    const TExpr& hold = expr.args[1];
    std::string name;
    if (hold.kind == TExpr::Kind::literal) {
      if (const auto* s = std::get_if<std::string>(&hold.literal)) name = *s;
    }
    reads.push_back({Access::Kind::hold, DecisionKind::hold, name});
  }
  for (const auto& arg : expr.args) hold_reads(arg, reads);
}

Accesses accesses_of(const Rule& rule, const Policy& policy) {
  Accesses out;
  expressions(rule, [&out](const TExpr& e) { hold_reads(e, out.reads); });
  for (const auto& h : rule.histories) {
    out.reads.push_back({Access::Kind::decisions, h.kind, h.name});
  }
  if (rule.on_decision && rule.trigger_type) {
    const EventTypeDef& type = policy.schema.types[*rule.trigger_type];
    out.reads.push_back({Access::Kind::decisions, *type.decision, type.decision_name});
  }
  for (const auto& action : rule.actions) {
    std::string name = action.static_name.value_or("");
    auto decision = [&](DecisionKind kind) {
      out.writes.push_back({Access::Kind::decisions, kind, name});
    };
    switch (action.kind) {
      case ActionKind::hold:
        out.writes.push_back({Access::Kind::hold, DecisionKind::hold, name});
        decision(DecisionKind::hold);
        break;
      case ActionKind::release:
        out.writes.push_back({Access::Kind::hold, DecisionKind::hold, name});
        decision(DecisionKind::release);
        break;
      case ActionKind::postpone:
        out.writes.push_back({Access::Kind::hold, DecisionKind::hold, name});
        break;
      case ActionKind::alert:
        decision(DecisionKind::alert);
        break;
      case ActionKind::eligibility:
        decision(DecisionKind::eligibility);
        break;
      case ActionKind::schedule:
      case ActionKind::cancel:
        out.writes.push_back({Access::Kind::timer, DecisionKind::hold, name});
        break;
    }
  }
  return out;
}

// The first of `writes` that one of `reads` meets.
const Access* first_met(const std::vector<Access>& writes, const std::vector<Access>& reads) {
  for (const auto& w : writes) {
    for (const auto& r : reads) {
      if (w.meets(r)) return &w;
    }
  }
  return nullptr;
}

constexpr int kExpiryStep = -1;  // the step in which the engine releases an expiring hold

// What can set each rule off in one step: its trigger type, or for a rule on decisions, the
// steps of the rules it reacts to (and the expiry step).
std::vector<std::set<int>> steps_of(const Policy& policy) {
  std::vector<std::set<int>> steps(policy.rules.size());
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const Rule& rule = policy.rules[r];
    if (!rule.on_decision && rule.trigger_type)
      steps[r].insert(static_cast<int>(*rule.trigger_type));
    if (rule.reacts_to_expiry) steps[r].insert(kExpiryStep);
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      for (auto source : policy.rules[r].reacts_to) {
        for (int step : steps[source]) grew = steps[r].insert(step).second || grew;
      }
    }
  }
  return steps;
}

bool meet(const std::set<int>& a, const std::set<int>& b) {
  return std::any_of(a.begin(), a.end(), [&b](int step) { return b.count(step) > 0; });
}

struct Edge {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  std::string why;  // "b reads hold X, which a places"
};

std::vector<Edge> edges_of(const Policy& policy) {
  std::vector<Accesses> accesses;
  for (const auto& rule : policy.rules) accesses.push_back(accesses_of(rule, policy));
  std::vector<std::set<int>> steps = steps_of(policy);
  std::vector<Edge> edges;
  for (std::uint32_t a = 0; a < policy.rules.size(); ++a) {
    for (std::uint32_t b = 0; b < policy.rules.size(); ++b) {
      const Rule& writer = policy.rules[a];
      const Rule& reader = policy.rules[b];
      const Access* written = first_met(accesses[a].writes, accesses[b].reads);
      if (!written) continue;
      if (a == b) continue;  // a rule's reads see its own earlier writes, in its order
      if (!meet(steps[a], steps[b])) continue;
      bool same_trigger =
          !writer.on_decision && !reader.on_decision && writer.trigger_type == reader.trigger_type;
      if (same_trigger && never_both(writer.guards, reader.guards, policy)) continue;
      edges.push_back({a, b,
                       fmt::format("'{}' reads {}, which '{}' writes", reader.name,
                                   written->describe(), writer.name)});
    }
  }
  return edges;
}

// Rules left over once every rule that could be ordered was: each cycle among them, reported.
void report_cycles(const Policy& policy, const std::vector<Edge>& edges,
                   const std::vector<bool>& placed, Diagnostics& diagnostics) {
  // Strongly connected components of the unplaced rules, by reachability both ways (packs are
  // small: a few dozen rules).
  std::size_t n = policy.rules.size();
  std::vector<std::vector<bool>> reach(n, std::vector<bool>(n, false));
  for (const auto& e : edges) {
    if (!placed[e.from] && !placed[e.to]) reach[e.from][e.to] = true;
  }
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!reach[i][k]) continue;
      for (std::size_t j = 0; j < n; ++j) reach[i][j] = reach[i][j] || reach[k][j];
    }
  }
  std::vector<bool> reported(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    if (placed[i] || reported[i] || !reach[i][i]) continue;
    std::vector<std::string> names;
    std::vector<std::string> reasons;
    for (std::size_t j = 0; j < n; ++j) {
      if (reach[i][j] && reach[j][i]) {
        reported[j] = true;
        names.push_back(policy.rules[j].name);
      }
    }
    for (const auto& e : edges) {
      if (reach[i][e.from] && reach[e.from][i] && reach[i][e.to] && reach[e.to][i]) {
        reasons.push_back(e.why);
      }
    }
    diagnostics.error(
        policy.rules[i].span,
        fmt::format("rules {} read what each other write on one event, so none of them can run "
                    "after the others: {}",
                    fmt::join(names, ", "), fmt::join(reasons, "; ")),
        "one rule for what they decide together (conditions joined with `or`), or `where` guards "
        "no one event meets together");
  }
}

}  // namespace

bool makes(const Rule& rule, DecisionKind kind, const std::string& name) {
  for (const auto& action : rule.actions) {
    bool same_kind = false;
    switch (kind) {
      case DecisionKind::hold:
        same_kind = action.kind == ActionKind::hold;
        break;
      case DecisionKind::release:
        same_kind = action.kind == ActionKind::release ||
                    (action.kind == ActionKind::hold && action.expires_after);
        break;
      case DecisionKind::alert:
        same_kind = action.kind == ActionKind::alert;
        break;
      case DecisionKind::eligibility:
        same_kind = action.kind == ActionKind::eligibility;
        break;
    }
    if (same_kind && (!action.static_name || *action.static_name == name)) return true;
  }
  return false;
}

void link_reactions(Policy& policy, Diagnostics& diagnostics) {
  for (auto& rule : policy.rules) {
    if (!rule.on_decision || !rule.trigger_type) continue;
    auto self = static_cast<std::uint32_t>(&rule - policy.rules.data());
    const EventTypeDef& type = policy.schema.types[*rule.trigger_type];
    DecisionKind kind = *type.decision;
    std::vector<std::string> makers;
    bool some_on = false;
    for (std::uint32_t r = 0; r < policy.rules.size(); ++r) {
      const Rule& maker = policy.rules[r];
      if (!makes(maker, kind, type.decision_name)) continue;
      if (r == self) {  // it would set itself off without end
        diagnostics.error(rule.span,
                          fmt::format("rule '{}' reacts to decisions it makes itself", rule.name),
                          "a rule on decision that makes other decisions");
        continue;
      }
      makers.push_back(maker.name);
      some_on = some_on || maker.mode != Mode::off;
      // Its own releases come from an expiring hold's timer, not from its run on the event.
      bool releases = false;
      for (const auto& action : maker.actions) {
        if (action.kind == ActionKind::release) releases = true;
      }
      if (kind != DecisionKind::release || releases) rule.reacts_to.push_back(r);
      if (kind == DecisionKind::release) {
        for (const auto& action : maker.actions) {
          if (action.kind == ActionKind::hold && action.expires_after) rule.reacts_to_expiry = true;
        }
      }
    }
    // After an error a maker may not have been read: no "no rule makes them" then.
    if (makers.empty() && !diagnostics.has_errors()) {
      diagnostics.error(rule.span,
                        fmt::format("rule '{}' reacts to {} '{}' decisions, but no rule makes them",
                                    rule.name, decision_kind_name(kind), type.decision_name),
                        fmt::format("the name of a {} some rule makes", decision_kind_name(kind)));
    } else if (!some_on && rule.mode != Mode::off) {
      diagnostics.warning(
          rule.span,
          fmt::format("rule '{}' reacts to {} '{}' decisions, but every rule that makes them is "
                      "off ({})",
                      rule.name, decision_kind_name(kind), type.decision_name,
                      fmt::join(makers, ", ")),
          "a mode other than off for one of them, or this rule off too");
    }
  }
}

void order_rules(Policy& policy, Diagnostics& diagnostics) {
  std::size_t n = policy.rules.size();
  std::vector<Edge> edges = edges_of(policy);
  std::vector<std::size_t> waiting(n, 0);
  std::vector<std::vector<std::uint32_t>> next(n);
  for (const auto& e : edges) {
    ++waiting[e.to];
    next[e.from].push_back(e.to);
  }
  // Ready rules by (on decision, name): the rules on the event first, then the reactions to
  // their decisions; names break the remaining ties, so no file order matters.
  auto later = [&policy](std::uint32_t a, std::uint32_t b) {
    const Rule& x = policy.rules[a];
    const Rule& y = policy.rules[b];
    if (x.on_decision != y.on_decision) return x.on_decision;
    return x.name > y.name;
  };
  std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, decltype(later)> ready(later);
  for (std::uint32_t r = 0; r < n; ++r) {
    if (waiting[r] == 0) ready.push(r);
  }
  std::vector<bool> placed(n, false);
  policy.order.clear();
  while (!ready.empty()) {
    std::uint32_t r = ready.top();
    ready.pop();
    placed[r] = true;
    policy.order.push_back(r);
    for (auto to : next[r]) {
      if (--waiting[to] == 0) ready.push(to);
    }
  }
  if (policy.order.size() == n) return;
  report_cycles(policy, edges, placed, diagnostics);
  for (std::uint32_t r = 0; r < n; ++r) {
    if (!placed[r]) policy.order.push_back(r);
  }
}

}  // namespace bylaw::check
