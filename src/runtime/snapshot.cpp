// Checkpoints: the engine's whole state as bytes, and back. Everything the engine would need to
// go on exactly as if it had never stopped is saved: holds, remembered decisions, `latest`
// indexes, aggregate windows, timers, the lateness buffer, the clock and the counters.
//
// A restore may meet a policy that changed since the save (`--allow-policy-change`). State is
// matched by name, never by position: a rule's windows and indexes are kept when a rule of the
// same name still has the same clause (the same text, blanks aside, at any place in the rule);
// holds and their timers are always kept, since they are people's standing; remembered
// decisions are kept when some `earlier` still asks for them. What is left behind is reported. The
// event schema itself must not change: saved events are laid out by it.
#include <algorithm>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "bylaw/check/types.hpp"
#include "bylaw/core/folded_text.hpp"
#include "engine_impl.hpp"

namespace bylaw::runtime {

namespace {

// 4: expiries, authors' timers; 5: when the next sweep by time is due
constexpr std::string_view kMagic = "bylaw-engine-state/5";

// Before any time: where a key restored with nothing left goes in a TouchOrder.
constexpr Time kBeforeAll{std::numeric_limits<std::int64_t>::min()};

void put_time(std::string& out, Time time) {
  put_signed(out, time.micros);
}
Time read_time(ByteReader& in) {
  return Time{in.signed_varint()};
}
void put_optional_time(std::string& out, std::optional<Time> time) {
  out.push_back(time ? 1 : 0);
  if (time) put_time(out, *time);
}
std::optional<Time> read_optional_time(ByteReader& in) {
  if (!in.boolean()) return std::nullopt;
  return read_time(in);
}
void put_optional_bool(std::string& out, std::optional<bool> value) {
  out.push_back(static_cast<char>(!value ? 0 : *value ? 2 : 1));
}
std::optional<bool> read_optional_bool(ByteReader& in) {
  auto byte = static_cast<std::uint8_t>(in.take(1)[0]);
  if (byte > 2) in.fail("bad optional flag");
  if (byte == 0) return std::nullopt;
  return byte == 2;
}

// The layout of every event type: saved events are only readable under the same one. Timers are
// left out: no saved event is a timer, and the authors' timers come and go with the rules.
std::string schema_layout(const check::Schema& schema) {
  std::string out;
  for (const auto& type : schema.types) {
    if (type.raised()) continue;
    out += type.name;
    out += '{';
    for (const auto& field : type.fields) {
      out += fmt::format("{}@{}:{};", field.name, field.slot, check::to_string(field.type));
    }
    out += '}';
  }
  return out;
}

// Events come back from a checkpoint only when they fit the schema: a damaged checkpoint must
// not turn into an out-of-range index later.
EventPtr read_event(ByteReader& in, const check::Schema& schema) {
  UnpackedEvent unpacked;
  unpack_event(in.text(), unpacked);
  const Event& event = unpacked.event;
  if (event.type < 0 || static_cast<std::size_t>(event.type) >= schema.types.size() ||
      event.fields.size() != schema.types[static_cast<std::size_t>(event.type)].fields.size()) {
    in.fail("an event that does not fit the schema");
  }
  return share(std::move(unpacked.event));
}

}  // namespace

// ---------------------------------------------------------------- the parts of the state

void Holds::save(std::string& out) const {
  put_varint(out, holds_.size());
  for (const auto& [name, by_subject] : holds_) {
    put_text(out, name);
    put_varint(out, by_subject.size());
    for (const auto& [subject, hold] : by_subject) {
      put_text(out, subject);
      out.push_back(hold.active ? 1 : 0);
      put_time(out, hold.placed_at);
      put_optional_time(out, hold.appeal_at);
      put_optional_time(out, hold.expires_at);
      put_optional_time(out, hold.released_at);
      put_varint(out, hold.generation);
      put_varint(out, hold.fired_dues.size());
      for (Time due : hold.fired_dues) put_time(out, due);
      put_text(out, hold.placed_by);
      put_varint(out, hold.placed_by_action);
    }
  }
}

void Holds::restore(ByteReader& in) {
  for (std::size_t names = in.count(); names > 0; --names) {
    auto& by_subject = holds_[std::string(in.text())];
    for (std::size_t subjects = in.count(); subjects > 0; --subjects) {
      HoldState& hold = by_subject[std::string(in.text())];
      hold.active = in.boolean();
      hold.placed_at = read_time(in);
      hold.appeal_at = read_optional_time(in);
      hold.expires_at = read_optional_time(in);
      hold.released_at = read_optional_time(in);
      hold.generation = in.varint();
      hold.fired_dues.resize(in.count());
      for (Time& due : hold.fired_dues) due = read_time(in);
      hold.placed_by = std::string(in.text());
      hold.placed_by_action = static_cast<std::uint32_t>(in.varint());
    }
  }
}

void Schedules::save(std::string& out) const {
  put_varint(out, pending_.size());
  for (const auto& [name, by_subject] : pending_) {
    put_text(out, name);
    put_varint(out, by_subject.size());
    for (const auto& [subject, scheduled] : by_subject) {
      put_text(out, subject);
      put_time(out, scheduled.due);
      put_time(out, scheduled.set_at);
      put_varint(out, scheduled.order);
    }
  }
}

void Schedules::restore(ByteReader& in) {
  for (std::size_t names = in.count(); names > 0; --names) {
    auto& by_subject = pending_[std::string(in.text())];
    for (std::size_t subjects = in.count(); subjects > 0; --subjects) {
      Scheduled& scheduled = by_subject[std::string(in.text())];
      scheduled.due = read_time(in);
      scheduled.set_at = read_time(in);
      scheduled.order = in.varint();
    }
  }
}

void History::save(std::string& out) const {
  put_varint(out, records_.size());
  for (std::size_t i = 0; i < records_.size(); ++i) {
    put_varint(out, static_cast<std::uint64_t>(plan_.histories[i].kind));
    put_text(out, plan_.histories[i].name);
    put_varint(out, records_[i].subjects.size());
    for (const auto& [subject, kept] : records_[i].subjects) {
      put_text(out, subject);
      put_varint(out, kept.records.size());
      for (const auto& record : kept.records) {
        put_time(out, record.time);
        put_optional_bool(out, record.eligible);
        put_text(out, record.trigger);
      }
    }
  }
}

void History::restore(ByteReader& in, std::vector<std::string>& dropped) {
  for (std::size_t needs = in.count(); needs > 0; --needs) {
    std::uint64_t kind = in.varint();
    if (kind > static_cast<std::uint64_t>(check::DecisionKind::eligibility)) in.fail("bad kind");
    std::string name(in.text());
    std::optional<std::size_t> need =
        plan_.history_index(static_cast<check::DecisionKind>(kind), name);
    std::size_t subjects = in.count();
    if (!need && subjects > 0) {
      dropped.push_back(
          fmt::format("remembered {} {} decisions (no `earlier` asks for them now)",
                      check::decision_kind_name(static_cast<check::DecisionKind>(kind)), name));
    }
    for (; subjects > 0; --subjects) {
      std::string subject(in.text());
      std::vector<DecisionRecord> records(in.count());
      for (auto& record : records) {
        record.time = read_time(in);
        record.eligible = read_optional_bool(in);
        record.trigger = std::string(in.text());
      }
      if (need) records_[*need].subjects[subject].records = std::move(records);
    }
  }
  for (Need& need : records_) {
    need.order.rebuild(need.subjects, [](const Node& node) {
      return latest_time(node.second.records, kBeforeAll);
    });
  }
}

void CorrelationIndex::save(std::string& out) const {
  put_varint(out, latest_.size());
  for (const auto& [key, kept] : latest_) {
    put_text(out, key);
    put_text(out, kept.packed);
  }
}

void CorrelationIndex::restore(ByteReader& in, CorrelationIndex* into) {
  for (std::size_t n = in.count(); n > 0; --n) {
    std::string_view key = in.text();
    std::string_view packed = in.text();
    if (into) {
      into->latest_.emplace(key, Kept{packed_time(packed), std::string(packed), nullptr, nullptr});
    }
  }
  if (into && into->timed_) {
    into->order_.rebuild(into->latest_, [](const Node& node) { return node.second.time; });
  }
}

void AggregateWindow::save(std::string& out) const {
  put_varint(out, entries_.size());
  for (const auto& [key, keyed] : entries_) {
    put_text(out, key);
    put_varint(out, keyed.entries().size());
    for (const auto& entry : keyed.entries()) {
      put_text(out, entry.id);
      put_time(out, entry.time);
      put_value(out, entry.value);
      out.push_back(entry.left_out_by ? 1 : 0);
      if (entry.left_out_by) put_text(out, *entry.left_out_by);
      put_text(out, entry.reads);
    }
  }
}

void AggregateWindow::restore(ByteReader& in, AggregateWindow* into, const ReasonOf& reason_of) {
  std::vector<std::string> spare;
  AggregateEntries discarded;
  for (std::size_t keys = in.count(); keys > 0; --keys) {
    std::string key(in.text());
    WindowKey* kept = into ? &into->entries_[key] : nullptr;
    for (std::size_t n = in.count(); n > 0; --n) {
      AggregateEntry& entry = kept ? kept->add() : discarded.push_back();
      entry.id.assign(in.text());
      entry.time = read_time(in);
      in.value(entry.value, spare);
      entry.left_out_by = nullptr;
      if (in.boolean()) entry.left_out_by = reason_of(in.text());
      entry.reads.assign(in.text());
      if (!kept) discarded.pop_front();
    }
    if (kept) kept->reindex(into->count_distinct_);
  }
  if (!into) return;
  into->order_.rebuild(into->entries_, [](const Node& node) {
    return latest_time(node.second.entries(), kBeforeAll);  // empty: first to go
  });
}

// ---------------------------------------------------------------- the engine

void Engine::save(std::string& out) const {
  const Impl& e = *impl_;
  out.clear();
  put_text(out, kMagic);
  put_text(out, schema_layout(e.policy.schema));
  out.push_back(e.clock ? 1 : 0);
  if (e.clock) put_time(out, *e.clock);
  put_varint(out, e.since_sweep);
  // A resumed run sweeps when an unbroken one would, so what it holds is the same.
  out.push_back(e.next_sweep_at ? 1 : 0);
  if (e.next_sweep_at) put_time(out, *e.next_sweep_at);
  put_varint(out, e.state.timer_order);
  for (std::uint64_t n : e.state.stats.values()) put_varint(out, n);
  e.state.holds.save(out);
  e.state.schedules.save(out);
  e.state.history.save(out);

  put_varint(out, e.policy.rules.size());
  for (std::size_t r = 0; r < e.policy.rules.size(); ++r) {
    const check::Rule& rule = e.policy.rules[r];
    put_text(out, rule.name);
    put_varint(out, rule.correlations.size());
    for (std::size_t c = 0; c < rule.correlations.size(); ++c) {
      put_text(out, folded_source(*e.policy.sources, rule.correlations[c].span));
      e.state.correlations[r][c].save(out);
    }
    put_varint(out, rule.aggregates.size());
    for (std::size_t a = 0; a < rule.aggregates.size(); ++a) {
      put_text(out, folded_source(*e.policy.sources, rule.aggregates[a].span));
      e.state.aggregates[r][a].save(out);
    }
  }

  TimerQueue timers = e.state.timers;  // a copy: a priority queue is read by emptying it
  put_varint(out, timers.size());
  for (; !timers.empty(); timers.pop()) {
    const Timer& timer = timers.top();
    put_time(out, timer.due);
    put_varint(out, timer.order);
    put_text(out, timer.subject);
    put_text(out, timer.hold);
    put_varint(out, timer.generation);
    out.push_back(static_cast<char>(timer.kind));
  }

  auto buffer = e.buffer;
  put_varint(out, buffer.size());
  std::string packed;
  for (; !buffer.empty(); buffer.pop()) {
    pack_event(*buffer.top(), packed);
    put_text(out, packed);
  }
}

namespace {

// The new rule's clause that says the same (blanks aside) as `text`, wherever it now stands.
template <class Clauses>
std::optional<std::size_t> same_clause(const check::Policy& policy, const Clauses& clauses,
                                       const std::string& text) {
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    if (folded_source(*policy.sources, clauses[i].span) == text) return i;
  }
  return std::nullopt;
}

// One saved rule's indexes and windows, into the rule of the same name and the clauses that say
// the same; what has no place any more is read past and reported.
void restore_rule(ByteReader& in, const check::Policy& policy, EngineState& state,
                  std::deque<std::string>& carried_reasons, RestoreReport& report) {
  std::string name(in.text());
  std::optional<std::size_t> r = policy.find_rule(name);
  const check::Rule* rule = r ? &policy.rules[*r] : nullptr;
  if (!rule) {
    report.dropped.push_back(
        fmt::format("rule {}: its windows and indexes (the rule is gone)", name));
  }
  // Left-out entries point at their exclusion's reason: the new rule's, or a carried copy.
  auto reason_of = [&](std::string_view reason) -> const std::string* {
    for (std::size_t x = 0; rule && x < rule->exclusions.size(); ++x) {
      if (rule->exclusions[x].reason == reason) return &rule->exclusions[x].reason;
    }
    return &carried_reasons.emplace_back(reason);
  };
  for (std::size_t n = in.count(); n > 0; --n) {
    std::string text(in.text());
    auto c = rule ? same_clause(policy, rule->correlations, text) : std::nullopt;
    if (rule && !c) {
      report.dropped.push_back(fmt::format("rule {}: the index of `{}` (changed)", name, text));
    }
    CorrelationIndex::restore(in, c ? &state.correlations[*r][*c] : nullptr);
  }
  for (std::size_t n = in.count(); n > 0; --n) {
    std::string text(in.text());
    auto a = rule ? same_clause(policy, rule->aggregates, text) : std::nullopt;
    if (rule && !a) {
      report.dropped.push_back(fmt::format("rule {}: the window of `{}` (changed)", name, text));
    }
    AggregateWindow::restore(in, a ? &state.aggregates[*r][*a] : nullptr, reason_of);
  }
}

void restore_timers(ByteReader& in, TimerQueue& timers) {
  for (std::size_t n = in.count(); n > 0; --n) {
    Timer timer;
    timer.due = read_time(in);
    timer.order = in.varint();
    timer.subject = std::string(in.text());
    timer.hold = std::string(in.text());
    timer.generation = in.varint();
    auto kind = static_cast<std::uint8_t>(in.take(1)[0]);
    if (kind > static_cast<std::uint8_t>(TimerKind::scheduled)) in.fail("bad timer kind");
    timer.kind = static_cast<TimerKind>(kind);
    timers.push(std::move(timer));
  }
}

}  // namespace

RestoreReport Engine::restore(std::string_view bytes) {
  Impl& e = *impl_;
  RestoreReport report;
  ByteReader in(bytes, "checkpoint state");
  if (in.text() != kMagic) in.fail("not an engine state of this version");
  if (in.text() != schema_layout(e.policy.schema)) {
    throw StateMismatch(
        "the event schema changed since the checkpoint: saved events and "
        "windows cannot be read under the new one");
  }
  e.clock.reset();
  if (in.boolean()) e.clock = read_time(in);
  e.since_sweep = in.varint();
  e.next_sweep_at.reset();
  if (in.boolean()) e.next_sweep_at = read_time(in);
  e.state.timer_order = in.varint();
  EngineStats& stats = e.state.stats;
  for (std::uint64_t* n : stats.fields()) *n = in.varint();
  e.state.holds.restore(in);
  e.state.schedules.restore(in);
  e.state.history.restore(in, report.dropped);
  for (std::size_t rules = in.count(); rules > 0; --rules) {
    restore_rule(in, e.policy, e.state, e.carried_reasons, report);
  }
  restore_timers(in, e.state.timers);
  for (std::size_t buffered = in.count(); buffered > 0; --buffered) {
    e.buffer.push(read_event(in, e.policy.schema));
  }
  if (!in.done()) in.fail("trailing bytes");
  return report;
}

}  // namespace bylaw::runtime
