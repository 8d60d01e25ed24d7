#include "evaluator.hpp"

#include <cmath>

#include "bylaw/check/operators.hpp"
#include "hops.hpp"

namespace bylaw::runtime {

using check::Builtin;
using check::Op;
using check::TExpr;

namespace {

// A field of the trigger read while frame.trigger_reads is set (slots past 63 are not noted).
inline void note_read(Frame& frame, const Event* record, std::int32_t slot) {
  if (frame.trigger_reads && record == frame.event && slot < 64) {
    *frame.trigger_reads |= std::uint64_t{1} << slot;
  }
}

std::optional<double> as_number(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

using check::compare_values;

Value arithmetic(Op op, const Value& a, const Value& b) {
  if (is_absent(a) || is_absent(b)) return Absent{};
  if (std::holds_alternative<std::int64_t>(a) && std::holds_alternative<std::int64_t>(b) &&
      op != Op::div) {
    auto x = std::get<std::int64_t>(a), y = std::get<std::int64_t>(b);
    std::int64_t out = 0;
    bool overflow = op == Op::add   ? __builtin_add_overflow(x, y, &out)
                    : op == Op::sub ? __builtin_sub_overflow(x, y, &out)
                                    : __builtin_mul_overflow(x, y, &out);
    if (!overflow) return out;
    return static_cast<double>(x) +
           (op == Op::sub ? -static_cast<double>(y) : static_cast<double>(y));
  }
  if (auto x = as_number(a), y = as_number(b); x && y) {
    switch (op) {
      case Op::add:
        return *x + *y;
      case Op::sub:
        return *x - *y;
      case Op::mul:
        return *x * *y;
      case Op::div:
        return *y == 0 ? Value(Absent{}) : Value(*x / *y);
      default:
        return Absent{};
    }
  }
  const auto* t = std::get_if<Time>(&a);
  const auto* d = std::get_if<Duration>(&b);
  if (t && d) return op == Op::add ? add(*t, *d) : subtract(*t, *d);
  if (const auto* da = std::get_if<Duration>(&a)) {
    if (const auto* tb = std::get_if<Time>(&b); tb && op == Op::add) return add(*tb, *da);
    if (d) return op == Op::add ? *da + *d : *da - *d;
  }
  if (t && op == Op::sub) {
    if (const auto* u = std::get_if<Time>(&b)) return between(*t, *u);
  }
  return Absent{};
}

const std::string* text_of(const Value& v) {
  return std::get_if<std::string>(&v);
}

Value membership(const TExpr& expr, Frame& frame) {
  Value lhs_scratch;
  const Value& lhs = evaluate_ref(expr.args[0], frame, lhs_scratch);
  Value scratch;
  if (expr.op == Op::in) {
    const TExpr& set = expr.args[1];
    if (set.kind == TExpr::Kind::list) {
      for (const auto& item : set.args) {
        if (compare_values(Op::eq, lhs, evaluate_ref(item, frame, scratch))) return true;
      }
      return false;
    }
    const auto* s = std::get_if<StringSet>(&evaluate_ref(set, frame, scratch));
    const auto* x = text_of(lhs);
    return s && x && s->contains(*x);
  }
  const auto* set = std::get_if<StringSet>(&lhs);
  if (!set) return false;
  if (expr.op == Op::has) {
    const auto* x = text_of(evaluate_ref(expr.args[1], frame, scratch));
    return x && set->contains(*x);
  }
  // has any / has all, against a set literal or a set value.
  bool any = false;
  bool all = true;
  auto test = [&](const std::string* wanted) {
    bool in = wanted && set->contains(*wanted);
    any = any || in;
    all = all && in;
  };
  const TExpr& rhs_expr = expr.args[1];
  if (rhs_expr.kind == TExpr::Kind::list) {
    for (const auto& item : rhs_expr.args) test(text_of(evaluate_ref(item, frame, scratch)));
  } else if (const auto* s = std::get_if<StringSet>(&evaluate_ref(rhs_expr, frame, scratch))) {
    for (const auto& item : s->items) test(&item);
  }
  return expr.op == Op::has_any ? any : all;
}

Value hold_builtin(Builtin builtin, const HoldState* hold) {
  switch (builtin) {
    case Builtin::held:
      return hold != nullptr && hold->active;
    case Builtin::appeal_at:
      return hold && hold->active && hold->appeal_at ? Value(*hold->appeal_at) : Value(Absent{});
    case Builtin::placed_at:
      return hold && hold->active ? Value(hold->placed_at) : Value(Absent{});
    case Builtin::released_at:
      return hold && hold->released_at ? Value(*hold->released_at) : Value(Absent{});
    default:
      return Absent{};
  }
}

Value call(const TExpr& expr, Frame& frame) {
  if (expr.builtin == Builtin::exists || expr.builtin == Builtin::size) {
    const TExpr& arg = expr.args[0];
    if (arg.kind != TExpr::Kind::let) return Absent{};
    const LetValue& decisions = let_value(frame, arg.index);
    if (expr.builtin == Builtin::exists) return !decisions.decisions.empty();
    return static_cast<std::int64_t>(decisions.decisions.size());
  }
  Value subject_scratch;
  Value name_scratch;
  const auto* s = text_of(evaluate_ref(expr.args[0], frame, subject_scratch));
  const auto* n = text_of(evaluate_ref(expr.args[1], frame, name_scratch));
  if (!s || !n) return hold_builtin(expr.builtin, nullptr);
  if (!frame.gate) return hold_builtin(expr.builtin, frame.state.holds.find(*s, *n));
  // Partitioned: the hold lives at its subject's partition; read here only when it is this one.
  if (const Value* answered = frame.gate->answered(&expr)) return *answered;
  std::string key;
  append_key(key, std::string_view(*s));
  Value value;
  if (const HopRead* replay = frame.gate->read(key, HopRead::Kind::value)) {
    value = replay->value;
  } else {
    HopRead read;
    read.value = hold_builtin(expr.builtin, frame.state.holds.find(*s, *n));
    frame.gate->kept(read);
    value = read.value;
  }
  frame.gate->answer(&expr, value);
  return value;
}

Value evaluate_unary(const TExpr& expr, Frame& frame) {
  if (expr.op == Op::logical_not) return !is_true(expr.args[0], frame);
  Value scratch;
  const Value& v = evaluate_ref(expr.args[0], frame, scratch);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return -*i;
  if (const auto* d = std::get_if<double>(&v)) return -*d;
  if (const auto* d = std::get_if<Duration>(&v)) return -*d;
  return Absent{};
}

// `a or b`, telling an observer which side made it true.
bool either(const TExpr& expr, Frame& frame) {
  if (!frame.observer) return is_true(expr.args[0], frame) || is_true(expr.args[1], frame);
  for (int side = 0; side < 2; ++side) {
    if (is_true(expr.args[side], frame)) {
      frame.observer->or_side_taken(frame.rule_index, expr.span, side);
      return true;
    }
  }
  return false;
}

// `x is absent` / `x is present`.
bool presence(const TExpr& expr, Frame& frame) {
  const TExpr& operand = expr.args[0];
  bool absent;
  if (operand.type.kind == check::TypeKind::record) {
    const Event* found = evaluate_record(operand, frame);
    absent = found == nullptr;
    // A trace shows which event a record stood for.
    if (frame.recorder)
      frame.recorder->values[&operand] = found ? Value(found->id) : Value(Absent{});
  } else {
    Value scratch;
    absent = is_absent(evaluate_ref(operand, frame, scratch));
  }
  return (expr.op == Op::is_absent) == absent;
}

Value evaluate_binary(const TExpr& expr, Frame& frame) {
  Value a, b;
  switch (expr.op) {
    case Op::logical_and:
      return is_true(expr.args[0], frame) && is_true(expr.args[1], frame);
    case Op::logical_or:
      return either(expr, frame);
    case Op::eq:
    case Op::ne:
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
      return compare_values(expr.op, evaluate_ref(expr.args[0], frame, a),
                            evaluate_ref(expr.args[1], frame, b));
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
      return arithmetic(expr.op, evaluate_ref(expr.args[0], frame, a),
                        evaluate_ref(expr.args[1], frame, b));
    case Op::in:
    case Op::has:
    case Op::has_any:
    case Op::has_all:
      return membership(expr, frame);
    case Op::is_absent:
    case Op::is_present:
      return presence(expr, frame);
    default:
      return Absent{};
  }
}

Value evaluate_node(const TExpr& expr, Frame& frame) {
  switch (expr.kind) {
    case TExpr::Kind::literal:
      return expr.literal;
    case TExpr::Kind::param:
      return frame.policy.params[expr.index].value;
    case TExpr::Kind::event:
    case TExpr::Kind::candidate:
      return Absent{};  // records are read through fields
    case TExpr::Kind::let: {
      LetValue& l = let_value(frame, expr.index);
      if (expr.type.kind == check::TypeKind::record) return Absent{};
      return l.value;
    }
    case TExpr::Kind::field: {
      const Event* record = evaluate_record(expr.args[0], frame);
      if (!record) return Absent{};
      if (expr.slot == check::kEnvelopeIdSlot) return record->id;
      if (expr.slot == check::kEnvelopeTimeSlot) return record->time;
      note_read(frame, record, expr.slot);
      return record->fields[static_cast<std::size_t>(expr.slot)];
    }
    case TExpr::Kind::unary:
      return evaluate_unary(expr, frame);
    case TExpr::Kind::binary:
      return evaluate_binary(expr, frame);
    case TExpr::Kind::call:
      return call(expr, frame);
    case TExpr::Kind::defined:
      return evaluate(expr.args[0], frame);
    case TExpr::Kind::list: {
      std::vector<std::string> items;
      for (const auto& item : expr.args) {
        Value v = evaluate(item, frame);
        if (const auto* s = text_of(v)) items.push_back(*s);
      }
      return StringSet::from(std::move(items));
    }
  }
  return Absent{};
}

}  // namespace

namespace {

// Values that already live somewhere (literals, parameters, fields, lets), or null.
const Value* stored_value(const TExpr& expr, Frame& frame) {
  switch (expr.kind) {
    case TExpr::Kind::literal:
      return &expr.literal;
    case TExpr::Kind::param:
      return &frame.policy.params[expr.index].value;
    case TExpr::Kind::let:
      if (expr.type.kind == check::TypeKind::record) return nullptr;
      return &let_value(frame, expr.index).value;
    case TExpr::Kind::field: {
      if (expr.slot == check::kEnvelopeIdSlot || expr.slot == check::kEnvelopeTimeSlot) {
        return nullptr;
      }
      const Event* record = evaluate_record(expr.args[0], frame);
      if (!record) return nullptr;
      note_read(frame, record, expr.slot);
      return &record->fields[static_cast<std::size_t>(expr.slot)];
    }
    default:
      return nullptr;
  }
}

}  // namespace

const Value& evaluate_ref(const TExpr& expr, Frame& frame, Value& scratch) {
  const Value* stored = stored_value(expr, frame);
  if (!stored) {
    scratch = evaluate_node(expr, frame);
    stored = &scratch;
  }
  if (frame.recorder) frame.recorder->values[&expr] = *stored;
  return *stored;
}

Value evaluate(const TExpr& expr, Frame& frame) {
  Value scratch;
  const Value& value = evaluate_ref(expr, frame, scratch);
  return &value == &scratch ? std::move(scratch) : value;
}

bool is_true(const TExpr& expr, Frame& frame) {
  Value scratch;
  const auto* b = std::get_if<bool>(&evaluate_ref(expr, frame, scratch));
  return b && *b;
}

const Event* evaluate_record(const TExpr& expr, Frame& frame) {
  switch (expr.kind) {
    case TExpr::Kind::event:
      return frame.event;
    case TExpr::Kind::candidate:
      return frame.candidate;
    case TExpr::Kind::let:
      return let_value(frame, expr.index).record;
    default:
      return nullptr;
  }
}

bool correlation_key(const check::Correlation& correlation, Frame& frame, std::string& key) {
  key.clear();
  Value scratch;
  for (const auto& probe : correlation.probes) {
    const Value& v = evaluate_ref(probe, frame, scratch);
    if (is_absent(v)) return false;
    append_key(key, v);
  }
  return true;
}

namespace {

enum class GateAnswer : std::uint8_t { no_lookup, read_here, replayed };

// Partitioned: a `latest` lookup goes through the gate under the part of its key that
// partitions it: replayed from what an earlier partition found, or read here (and then handed
// to the gate), or none at all when that part is absent (wherever the rule runs).
GateAnswer replay_latest(Frame& frame, std::uint32_t correlation_index, LetValue& slot) {
  const check::Correlation& correlation = frame.rule.correlations[correlation_index];
  std::size_t part = frame.gate->latest_parts[frame.rule_index][correlation_index];
  Value scratch;
  const Value& value = evaluate_ref(correlation.probes[part], frame, scratch);
  if (is_absent(value)) return GateAnswer::no_lookup;
  std::string key;
  append_key(key, value);
  const HopRead* replay = frame.gate->read(key, HopRead::Kind::latest);
  if (!replay) return GateAnswer::read_here;
  correlation_key(correlation, frame, slot.key);
  slot.record = nullptr;
  if (replay->found) {
    unpack_event(replay->packed, slot.found);
    slot.record = &slot.found.event;
  }
  return GateAnswer::replayed;
}

}  // namespace

LetValue& let_value(Frame& frame, std::uint32_t index) {
  LetValue& slot = frame.lets[index];
  if (slot.ready) return slot;
  const check::Let& def = frame.rule.lets[index];
  switch (def.source) {
    case check::Let::Source::value: {
      Value scratch;
      slot.value = evaluate_ref(*def.value, frame, scratch);
      break;
    }
    case check::Let::Source::latest: {
      const check::Correlation& correlation = frame.rule.correlations[def.index];
      GateAnswer gate = frame.gate ? replay_latest(frame, def.index, slot) : GateAnswer::no_lookup;
      if (gate == GateAnswer::replayed) break;
      if (correlation_key(correlation, frame, slot.key)) {
        slot.record =
            frame.state.correlations[frame.rule_index][def.index].find(slot.key, slot.found);
        // Older than its horizon: forgotten, even before a sweep removed it.
        if (slot.record && correlation.within &&
            slot.record->time <= subtract(frame.now, std::get<Duration>(frame.policy.constant(
                                                         *correlation.within)))) {
          slot.record = nullptr;
        }
      }
      if (gate == GateAnswer::read_here) {
        HopRead read;
        read.kind = HopRead::Kind::latest;
        read.found = slot.record != nullptr;
        if (slot.record) pack_event(*slot.record, read.packed);
        frame.gate->kept(std::move(read));
      }
      break;
    }
    case check::Let::Source::earlier: {
      const check::HistoryQuery& query = frame.rule.histories[def.index];
      Value scratch;
      if (const auto* s = text_of(evaluate_ref(query.subject, frame, scratch))) {
        std::optional<Time> since;
        if (query.within) {
          Value window;
          since =
              subtract(frame.now, std::get<Duration>(evaluate_ref(*query.within, frame, window)));
        }
        if (query.after) {
          Value after = evaluate(*query.after, frame);
          const auto* t = std::get_if<Time>(&after);
          if (t && (!since || *t > *since)) since = *t;
        }
        if (frame.gate) {
          std::string key;
          append_key(key, std::string_view(*s));
          if (const HopRead* replay = frame.gate->read(key, HopRead::Kind::earlier)) {
            slot.decisions.clear();
            for (const auto& record : replay->decisions) slot.decisions.push_back(&record);
            break;
          }
        }
        frame.state.history.query(frame.state.plan.history_of[frame.rule_index][def.index], *s,
                                  since, query.eligible, slot.decisions);
        if (frame.gate) {
          HopRead read;
          read.kind = HopRead::Kind::earlier;
          for (const auto* record : slot.decisions) read.decisions.push_back(*record);
          frame.gate->kept(std::move(read));
        }
      }
      break;
    }
    case check::Let::Source::aggregate:
      break;  // the rule runner sets these
  }
  slot.ready = true;
  return slot;
}

}  // namespace bylaw::runtime
