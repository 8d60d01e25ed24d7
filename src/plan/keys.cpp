// The key analysis (bylaw/plan/keys.hpp): walks each rule in the order the runtime evaluates it
// (trigger, where, exclude, windows, when, actions; a let when it is first used) and records every
// read and write of keyed state with the expression of its key.
#include "bylaw/plan/keys.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace bylaw::plan {

const char* state_kind_name(StateKind kind) {
  switch (kind) {
    case StateKind::latest:
      return "latest";
    case StateKind::window:
      return "window";
    case StateKind::hold:
      return "hold";
    case StateKind::history:
      return "history";
    case StateKind::timer:
      return "timer";
    case StateKind::decision:
      return "decision";
  }
  return "state";
}

namespace {

using check::TExpr;

std::string field_name(const check::EventTypeDef& type, std::int32_t slot) {
  if (slot == check::kEnvelopeIdSlot) return "id";
  if (slot == check::kEnvelopeTimeSlot) return "time";
  for (const auto& field : type.fields) {
    if (field.slot == slot) return field.name;
  }
  return fmt::format("#{}", slot);
}

class RuleWalker {
 public:
  RuleWalker(const check::Policy& policy, const Plan& plan, const check::Rule& rule)
      : policy_(policy), plan_(plan), rule_(rule), let_seen_(rule.lets.size(), false) {}

  RuleKeys walk();

 private:
  // A key's spelling in the rule's own terms: `f.freelancer`, a let's name, a parameter.
  std::string key_text(const TExpr& e) const;
  void expr(const TExpr& e);
  void let(std::uint32_t index);
  void correlation(const check::Let& let, const check::Correlation& c);
  void action(const check::ActionDef& a);
  void record(StateKind kind, bool writes, std::string what, std::vector<std::string> key,
              std::vector<const TExpr*> exprs);
  bool from_trigger(const TExpr& e) const;
  void choose_partition_keys();
  void make_steps(RuleKeys& keys) const;

  const check::Policy& policy_;
  const Plan& plan_;
  const check::Rule& rule_;
  std::vector<bool> let_seen_;
  std::vector<StateAccess> accesses_;
  std::string binding_;  // the let whose value is being worked out, if any
};

std::string RuleWalker::key_text(const TExpr& e) const {
  switch (e.kind) {
    case TExpr::Kind::event:
      return rule_.alias;
    case TExpr::Kind::let:
      return rule_.lets[e.index].name;
    case TExpr::Kind::defined:
      return key_text(e.args[0]);
    case TExpr::Kind::field: {
      std::size_t dot = e.text.rfind('.');
      std::string field = dot == std::string::npos ? e.text : e.text.substr(dot + 1);
      return key_text(e.args[0]) + "." + field;
    }
    default:
      return e.text;
  }
}

void RuleWalker::record(StateKind kind, bool writes, std::string what, std::vector<std::string> key,
                        std::vector<const TExpr*> exprs) {
  StateAccess access;
  access.kind = kind;
  access.writes = writes;
  access.what = std::move(what);
  access.key = std::move(key);
  access.key_exprs = std::move(exprs);
  access.key_exprs.resize(access.key.size(), nullptr);
  access.binds = binding_;
  accesses_.push_back(std::move(access));
}

bool reads_hold_builtin(check::Builtin builtin) {
  using check::Builtin;
  return builtin == Builtin::held || builtin == Builtin::appeal_at ||
         builtin == Builtin::placed_at || builtin == Builtin::released_at;
}

void RuleWalker::expr(const TExpr& e) {
  if (e.kind == TExpr::Kind::let) {
    let(e.index);
    return;
  }
  for (const auto& arg : e.args) expr(arg);
  if (e.kind == TExpr::Kind::call && reads_hold_builtin(e.builtin) && e.args.size() == 2) {
    record(StateKind::hold, false,
           fmt::format("hold {} ({})", e.args[1].text, check::builtin_name(e.builtin)),
           {key_text(e.args[0])}, {&e.args[0]});
  }
}

void RuleWalker::correlation(const check::Let& let, const check::Correlation& c) {
  for (const auto& probe : c.probes) expr(probe);
  const auto& type = policy_.schema.types[static_cast<std::size_t>(c.event_type)];
  std::vector<std::string> key;
  std::vector<const TExpr*> exprs;
  for (const auto& probe : c.probes) {
    key.push_back(key_text(probe));
    exprs.push_back(&probe);
  }
  record(StateKind::latest, false,
         fmt::format("latest {} as {} ({})", type.name, c.alias, let.name), std::move(key),
         std::move(exprs));
  accesses_.back().event_type = type.name;
  accesses_.back().correlation = static_cast<std::int32_t>(&c - rule_.correlations.data());
  for (std::int32_t slot : c.key_slots) {
    accesses_.back().indexed_by.push_back(c.alias + "." + field_name(type, slot));
  }
}

void RuleWalker::let(std::uint32_t index) {
  if (let_seen_[index]) return;
  let_seen_[index] = true;
  const check::Let& l = rule_.lets[index];
  std::string outer = std::exchange(binding_, l.name);
  switch (l.source) {
    case check::Let::Source::value:
      if (l.value) expr(*l.value);
      break;
    case check::Let::Source::latest:
      correlation(l, rule_.correlations[l.index]);
      break;
    case check::Let::Source::earlier: {
      const check::HistoryQuery& h = rule_.histories[l.index];
      expr(h.subject);
      if (h.after) expr(*h.after);
      record(StateKind::history, false,
             fmt::format("earlier {} {} ({})", check::decision_kind_name(h.kind), h.name, l.name),
             {key_text(h.subject)}, {&h.subject});
      break;
    }
    case check::Let::Source::aggregate:
      break;  // worked out with the windows
  }
  binding_ = std::move(outer);
}

std::optional<check::DecisionKind> decision_kind(check::ActionKind kind) {
  switch (kind) {
    case check::ActionKind::hold:
      return check::DecisionKind::hold;
    case check::ActionKind::release:
      return check::DecisionKind::release;
    case check::ActionKind::alert:
      return check::DecisionKind::alert;
    case check::ActionKind::eligibility:
      return check::DecisionKind::eligibility;
    default:  // postpone, schedule, cancel: they change state and decide nothing
      return std::nullopt;
  }
}

void RuleWalker::action(const check::ActionDef& a) {
  expr(a.subject);
  expr(a.name);
  for (const auto* e : {&a.until, &a.after, &a.appeal_after, &a.expires_after}) {
    if (*e) expr(**e);
  }
  auto message = [this](const check::Message& m) {
    for (const auto& part : m.parts) {
      if (part.value) expr(*part.value);
    }
  };
  if (a.message) message(*a.message);
  for (const auto& branch : a.denies) {
    if (branch.condition) expr(*branch.condition);
    if (branch.until) expr(*branch.until);
    message(branch.message);
  }
  if (a.allow) message(a.allow->message);

  std::string name = a.static_name ? *a.static_name : a.name.text;
  std::vector<std::string> subject{key_text(a.subject)};
  std::vector<const TExpr*> subject_expr{&a.subject};
  using check::ActionKind;
  switch (a.kind) {
    case ActionKind::hold:
    case ActionKind::release:
    case ActionKind::postpone:
      record(StateKind::hold, true,
             fmt::format("{} {}",
                         a.kind == ActionKind::postpone ? "postpone appeal"
                         : a.kind == ActionKind::hold   ? "hold"
                                                        : "release",
                         name),
             subject, subject_expr);
      break;
    case ActionKind::schedule:
    case ActionKind::cancel:
      record(StateKind::timer, true,
             fmt::format("{} {}", a.kind == ActionKind::schedule ? "schedule" : "cancel", name),
             subject, subject_expr);
      break;
    default:
      break;
  }
  // A decision some `earlier` remembers, or some rule reacts to, is state of its subject too.
  if (auto kind = decision_kind(a.kind); kind && a.static_name) {
    std::string decision = fmt::format("{} {}", check::decision_kind_name(*kind), name);
    if (plan_.history_index(*kind, name)) {
      record(StateKind::history, true, decision + " (remembered)", subject, subject_expr);
    }
    if (plan_.reaction_type(*kind, name)) {
      record(StateKind::decision, true, decision + " (reacted to)", subject, subject_expr);
    }
  }
}

// A composite `latest` key is partitioned by one of its parts: the one the rule's other accesses
// are keyed by, where there is one, so that it shares their step.
void RuleWalker::choose_partition_keys() {
  for (auto& access : accesses_) {
    if (access.key.size() == 1) access.partition_key = access.key.front();
  }
  for (auto& access : accesses_) {
    if (access.key.size() == 1) continue;
    access.partition_key = access.key.empty() ? std::string() : access.key.front();
    access.partition_part = 0;
    for (std::size_t part = 0; part < access.key.size(); ++part) {
      bool shared = std::any_of(accesses_.begin(), accesses_.end(), [&](const StateAccess& other) {
        return other.key.size() == 1 && other.partition_key == access.key[part];
      });
      if (shared) {
        access.partition_key = access.key[part];
        access.partition_part = part;
        break;
      }
    }
  }
}

void RuleWalker::make_steps(RuleKeys& keys) const {
  for (std::size_t i = 0; i < accesses_.size(); ++i) {
    if (keys.steps.empty() || keys.steps.back().key != accesses_[i].partition_key) {
      Step step;
      step.key = accesses_[i].partition_key;
      const auto& exprs = accesses_[i].key_exprs;
      std::size_t part = accesses_[i].partition_part;
      step.key_expr = part < exprs.size() ? exprs[part] : nullptr;
      step.from_trigger = step.key_expr && from_trigger(*step.key_expr);
      if (!keys.steps.empty()) {
        // What the partitions before read, in order: the rule is evaluated again here with
        // those reads replayed (runtime/hops.hpp).
        for (std::size_t j = 0; j < i; ++j) {
          if (accesses_[j].writes) continue;
          const std::string& read =
              accesses_[j].binds.empty() ? accesses_[j].what : accesses_[j].binds;
          if (std::find(step.forwarded.begin(), step.forwarded.end(), read) ==
              step.forwarded.end()) {
            step.forwarded.push_back(read);
          }
        }
      }
      keys.steps.push_back(std::move(step));
    }
    keys.steps.back().accesses.push_back(i);
  }
}

// Whether a key can be worked out from the trigger alone: no lookup, no window, no state.
bool RuleWalker::from_trigger(const TExpr& e) const {
  if (e.kind == TExpr::Kind::let) {
    const check::Let& l = rule_.lets[e.index];
    return l.source == check::Let::Source::value && l.value && from_trigger(*l.value);
  }
  if (e.kind == TExpr::Kind::call && reads_hold_builtin(e.builtin)) return false;
  return std::all_of(e.args.begin(), e.args.end(),
                     [this](const TExpr& arg) { return from_trigger(arg); });
}

RuleKeys RuleWalker::walk() {
  RuleKeys keys;
  keys.rule = rule_.name;
  if (rule_.trigger_type) {
    const auto& type = policy_.schema.types[*rule_.trigger_type];
    keys.trigger = fmt::format("{} as {}", type.name, rule_.alias);
    keys.trigger_type = type.name;
    // A timer fires, and a decision is made, under its subject: the rule it sets off starts there.
    if (type.timer) {
      record(StateKind::timer, false, "timer " + type.name, {rule_.alias + ".subject"}, {});
    } else if (type.decision) {
      record(StateKind::decision, false, "decision " + type.decision_name,
             {rule_.alias + ".subject"}, {});
    }
  }
  for (const auto& guard : rule_.guards) expr(guard);
  for (const auto& exclusion : rule_.exclusions) expr(exclusion.condition);
  for (const auto& a : rule_.aggregates) {
    expr(a.key);
    if (a.value) expr(*a.value);
    const std::string& name = rule_.lets[a.let].name;
    std::string function = a.function == check::AggregateFunction::sum ? "sum"
                           : a.distinct                                ? "count distinct"
                                                                       : "count";
    record(StateKind::window, true,
           fmt::format("{}{} per {} as {}", function, a.value ? " " + a.value->text : "",
                       a.key.text, name),
           {key_text(a.key)}, {&a.key});
  }
  for (const auto& a : rule_.aggregates) {
    if (a.after) expr(*a.after);
  }
  for (const auto& condition : rule_.conditions) expr(condition);
  for (const auto& a : rule_.actions) action(a);
  choose_partition_keys();
  make_steps(keys);
  keys.accesses = std::move(accesses_);
  return keys;
}

}  // namespace

bool reads_hold(const check::TExpr& expr) {
  if (expr.kind == TExpr::Kind::call && reads_hold_builtin(expr.builtin)) return true;
  return std::any_of(expr.args.begin(), expr.args.end(),
                     [](const TExpr& arg) { return reads_hold(arg); });
}

KeyAnalysis analyse_keys(const check::Policy& policy, const Plan& plan) {
  KeyAnalysis analysis;
  for (const auto& rule : policy.rules) {
    if (rule.mode == check::Mode::off) continue;
    RuleKeys keys = RuleWalker(policy, plan, rule).walk();
    keys.rule_index = static_cast<std::uint32_t>(&rule - policy.rules.data());
    for (const auto& access : keys.accesses) {
      if (access.kind != StateKind::latest) continue;
      // The index is fed at the partition of its key's chosen part, spelled over the indexed
      // event.
      std::size_t at = access.partition_part;
      const check::Correlation& c = rule.correlations[static_cast<std::size_t>(access.correlation)];
      IndexFeed feed{access.event_type, rule.name, access.binds,
                     at < access.indexed_by.size() ? access.indexed_by[at] : ""};
      feed.rule_index = keys.rule_index;
      feed.correlation = static_cast<std::uint32_t>(access.correlation);
      feed.slot = at < c.key_slots.size() ? c.key_slots[at] : 0;
      analysis.feeds.push_back(std::move(feed));
    }
    analysis.rules.push_back(std::move(keys));
  }
  return analysis;
}

}  // namespace bylaw::plan
