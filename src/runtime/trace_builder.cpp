// Builds the explanation of a firing rule from the values its evaluation used.

#include <fmt/format.h>

#include "bylaw/check/types.hpp"
#include "bylaw/core/folded_text.hpp"
#include "bylaw/core/keyed_hash.hpp"
#include "rule_runner.hpp"

namespace bylaw::runtime {

namespace {

bool has_operands(const check::TExpr& expr) {
  using Kind = check::TExpr::Kind;
  return expr.kind == Kind::unary || expr.kind == Kind::binary || expr.kind == Kind::call ||
         expr.kind == Kind::defined;
}

std::string aggregate_function(const check::Aggregate& aggregate) {
  if (aggregate.function == check::AggregateFunction::sum) return "sum";
  return aggregate.distinct ? "count distinct" : "count";
}

std::optional<double> number_of(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

// left - right for times (a signed duration), durations and numbers; empty otherwise.
std::string difference(const Value& left, const Value& right) {
  if (const auto* a = std::get_if<Time>(&left)) {
    if (const auto* b = std::get_if<Time>(&right)) return format_duration(between(*a, *b));
  }
  if (const auto* a = std::get_if<Duration>(&left)) {
    if (const auto* b = std::get_if<Duration>(&right)) return format_duration(*a - *b);
  }
  if (auto a = number_of(left), b = number_of(right); a && b) {
    return check::display_value(Value(*a - *b), check::Type::of(check::TypeKind::number));
  }
  return {};
}

bool is_aggregate(const check::TExpr& expr, const check::Rule& rule) {
  return expr.kind == check::TExpr::Kind::let &&
         rule.lets[expr.index].source == check::Let::Source::aggregate;
}

// The comparisons of a `when` (through `and`) that hold an aggregate to a lower bound.
void thresholds(const check::TExpr& expr, const check::Rule& rule,
                std::vector<const check::TExpr*>& out) {
  if (expr.kind != check::TExpr::Kind::binary) return;
  if (expr.op == check::Op::logical_and) {
    thresholds(expr.args[0], rule, out);
    thresholds(expr.args[1], rule, out);
    return;
  }
  bool left =
      is_aggregate(expr.args[0], rule) && (expr.op == check::Op::ge || expr.op == check::Op::gt);
  bool right = expr.args.size() == 2 && is_aggregate(expr.args[1], rule) &&
               (expr.op == check::Op::le || expr.op == check::Op::lt);
  if (left || right) out.push_back(&expr);
}

// The aggregate's value over some of its counted entries.
double value_over(const check::Aggregate& aggregate,
                  const std::vector<const AggregateEntry*>& entries) {
  if (aggregate.function == check::AggregateFunction::sum) {
    double sum = 0;
    for (const auto* e : entries) sum += number_of(e->value).value_or(0);
    return sum;
  }
  if (!aggregate.distinct) return static_cast<double>(entries.size());
  KeyedSet values;
  for (const auto* e : entries) {
    std::string key;
    append_key(key, e->value);
    values.insert(std::move(key));
  }
  return static_cast<double>(values.size());
}

std::string shown(double value) {
  return check::display_value(Value(value), check::Type::of(check::TypeKind::number));
}

MarginTrace margin_of(const check::TExpr& comparison, Frame& frame, const AggregateView& view,
                      const Recorder& recorder) {
  const check::Rule& rule = frame.rule;
  bool aggregate_left = is_aggregate(comparison.args[0], rule);
  const check::TExpr& aggregate_expr = comparison.args[aggregate_left ? 0 : 1];
  const check::TExpr& bound_expr = comparison.args[aggregate_left ? 1 : 0];
  bool strict = comparison.op == check::Op::gt || comparison.op == check::Op::lt;
  const check::Let& let = rule.lets[aggregate_expr.index];
  const check::Aggregate& aggregate = rule.aggregates[let.index];
  MarginTrace margin;
  margin.aggregate = let.name;
  margin.condition = comparison.text;
  auto bound_it = recorder.values.find(&bound_expr);
  double bound = bound_it == recorder.values.end() ? 0 : number_of(bound_it->second).value_or(0);
  margin.threshold = shown(bound);
  auto meets = [&](double v) { return strict ? v > bound : v >= bound; };

  std::vector<const AggregateEntry*> counted = list_aggregate(view).counted;
  margin.result = shown(value_over(aggregate, counted));
  // Take away the latest counted event (the trigger comes first: it was counted last), or for
  // count distinct every event of the latest value, until the threshold is no longer met.
  std::vector<const AggregateEntry*> remaining = counted;
  while (!remaining.empty() && meets(value_over(aggregate, remaining))) {
    const AggregateEntry* latest = remaining.back();
    std::string latest_key;
    append_key(latest_key, latest->value);
    std::vector<const AggregateEntry*> kept;
    for (const auto* e : remaining) {
      std::string key;
      if (aggregate.distinct) append_key(key, e->value);
      bool goes = aggregate.distinct ? key == latest_key : e == latest;
      if (goes) {
        margin.without.push_back(e->id);
      } else {
        kept.push_back(e);
      }
    }
    remaining = std::move(kept);
  }
  margin.would_be = shown(value_over(aggregate, remaining));
  std::string what = aggregate_function(aggregate);
  margin.statement =
      fmt::format("without {} the {} would be {}, {} {}", fmt::join(margin.without, ", "), what,
                  margin.would_be, strict ? "not above" : "below", margin.threshold);
  if (!counted.empty()) {
    Duration window = std::get<Duration>(evaluate(aggregate.window, frame));
    margin.earliest_leaves_at = add(counted.front()->time, window);
    std::vector<const AggregateEntry*> later(counted.begin() + 1, counted.end());
    margin.then_value = shown(value_over(aggregate, later));
    margin.statement += fmt::format("; {} leaves the window at {}, and then the {} would be {}",
                                    counted.front()->id, format_rfc3339(*margin.earliest_leaves_at),
                                    what, margin.then_value);
  }
  return margin;
}

}  // namespace

ExprTrace trace_expr(const check::TExpr& expr, const Recorder& recorder) {
  ExprTrace out;
  out.text = expr.text;
  auto it = recorder.values.find(&expr);
  out.evaluated = it != recorder.values.end();
  if (out.evaluated) out.value = check::display_value(it->second, expr.type);
  if (has_operands(expr)) {
    for (const auto& arg : expr.args) out.operands.push_back(trace_expr(arg, recorder));
  }
  if (expr.kind == check::TExpr::Kind::binary && syntax::is_ordering(expr.op) &&
      expr.args.size() == 2) {
    auto left = recorder.values.find(&expr.args[0]);
    auto right = recorder.values.find(&expr.args[1]);
    if (left != recorder.values.end() && right != recorder.values.end()) {
      out.difference = difference(left->second, right->second);
    }
  }
  return out;
}

namespace {

// A `latest` let: what it looked for and what it found.
CorrelationTrace correlation_trace(const Frame& frame, std::uint32_t let) {
  const check::Policy& policy = frame.policy;
  const check::Let& def = frame.rule.lets[let];
  const check::Correlation& correlation = frame.rule.correlations[def.index];
  CorrelationTrace c;
  c.name = def.name;
  c.event_type = policy.schema.types[static_cast<std::size_t>(correlation.event_type)].name;
  c.condition = folded_source(*policy.sources, correlation.span);
  if (const Event* found = frame.lets[let].record) {
    c.found_id = found->id;
    c.found_time = found->time;
    const check::EventTypeDef& type = policy.schema.types[static_cast<std::size_t>(found->type)];
    for (const auto& field : type.fields) {
      c.found_fields.emplace_back(
          field.name,
          check::display_value(found->fields[static_cast<std::size_t>(field.slot)], field.type));
    }
  }
  return c;
}

// An entry's packed reads (state.hpp) as named, displayed fields.
std::vector<FieldRead> fields_read(const check::EventTypeDef* type, const std::string& reads) {
  std::vector<FieldRead> out;
  if (!type || reads.empty()) return out;
  ByteReader in(reads, "fields read");
  std::uint64_t mask = in.varint();
  std::vector<std::string> spare;
  Value value;
  for (std::size_t slot = 0; mask >> slot != 0; ++slot) {
    if (!(mask >> slot & 1)) continue;
    in.value(value, spare);
    if (slot >= type->fields.size()) continue;
    const check::FieldDef& field = type->fields[slot];
    out.push_back({field.name, check::display_value(value, field.type), field.is_private});
  }
  return out;
}

// An aggregate: its window under this key, what it counted and what it left out, with why.
AggregateTrace aggregate_trace(Frame& frame, std::size_t i, const AggregateView& view) {
  const check::Rule& rule = frame.rule;
  const check::Aggregate& aggregate = rule.aggregates[i];
  AggregateTrace a;
  for (const auto& let : rule.lets) {
    if (let.source == check::Let::Source::aggregate && let.index == i) a.name = let.name;
  }
  a.function = aggregate_function(aggregate);
  if (aggregate.value) a.of = aggregate.value->text;
  a.per = aggregate.key.text;
  a.key = check::display_value(view.key_value, aggregate.key.type);
  a.window = check::display_value(evaluate(aggregate.window, frame), aggregate.window.type);
  a.from = view.lower;
  a.to = frame.now;
  a.after = view.after;
  AggregateLists lists = list_aggregate(view);
  const check::EventTypeDef* type =
      rule.trigger_type ? &frame.policy.schema.types[*rule.trigger_type] : nullptr;
  for (const auto* entry : lists.counted) {
    std::string value;
    if (aggregate.value) value = check::display_value(entry->value, aggregate.value->type);
    a.counted.push_back({entry->id, entry->time, value, fields_read(type, entry->reads)});
  }
  for (const auto& [entry, reason] : lists.left_out) {
    a.left_out.push_back({entry->id, entry->time, reason, fields_read(type, entry->reads)});
  }
  DistinctScratch distinct;
  a.result = check::display_value(aggregate_value(aggregate, view, distinct),
                                  check::Type::of(check::TypeKind::number));
  return a;
}

// A `when`, and the margin of each threshold an aggregate is compared with in it.
void when_trace(Frame& frame, const check::TExpr& condition,
                const std::vector<AggregateView>& views, Trace& trace) {
  const check::Rule& rule = frame.rule;
  const Recorder& recorder = *frame.recorder;
  bool result = is_true(condition, frame);
  trace.conditions.push_back({"when", "", result, trace_expr(condition, recorder)});
  std::vector<const check::TExpr*> found;
  thresholds(condition, rule, found);
  for (const auto* comparison : found) {
    std::uint32_t let = comparison->args[is_aggregate(comparison->args[0], rule) ? 0 : 1].index;
    trace.margins.push_back(margin_of(*comparison, frame, views[rule.lets[let].index], recorder));
  }
}

}  // namespace

// Re-evaluating the conditions is pure: the frame only records the values they had.
Trace build_trace(Frame& frame, const std::vector<AggregateView>& views) {
  const check::Policy& policy = frame.policy;
  const check::Rule& rule = frame.rule;
  Trace trace;
  trace.rule = rule.name;
  trace.file = policy.sources->file(rule.span.file).path();
  trace.first_line = rule.first_line;
  trace.last_line = rule.last_line;
  trace.policy = policy.versioned_name();
  trace.policy_hash = policy.hash;
  trace.mode = check::mode_name(rule.mode);
  if ((rule.timer || rule.on_decision) && frame.event && rule.trigger_type) {
    const check::EventTypeDef& type = policy.schema.types[*rule.trigger_type];
    TimerTrace cause{type.name, {}};
    if (type.decision) {
      cause.name =
          fmt::format("{} {}", check::decision_kind_name(*type.decision), type.decision_name);
      cause.fields.emplace_back("id", frame.event->id);
    }
    for (const auto& field : type.fields) {
      cause.fields.emplace_back(
          field.name, check::display_value(
                          frame.event->fields[static_cast<std::size_t>(field.slot)], field.type));
    }
    (rule.timer ? trace.timer : trace.decision) = std::move(cause);
  }
  for (auto index : rule.params_used) {
    const check::Param& param = policy.params[index];
    trace.parameters.push_back({param.name, check::display_value(param.value, param.type)});
  }
  for (std::uint32_t i = 0; i < rule.lets.size(); ++i) {
    if (rule.lets[i].source == check::Let::Source::latest) {
      trace.correlations.push_back(correlation_trace(frame, i));
    }
  }
  const Recorder& recorder = *frame.recorder;
  for (const auto& guard : rule.guards) {
    bool result = is_true(guard, frame);
    trace.conditions.push_back({"where", "", result, trace_expr(guard, recorder)});
  }
  for (const auto& exclusion : rule.exclusions) {
    bool result = is_true(exclusion.condition, frame);
    trace.conditions.push_back(
        {"exclude", exclusion.reason, result, trace_expr(exclusion.condition, recorder)});
  }
  for (std::size_t i = 0; i < rule.aggregates.size(); ++i) {
    trace.aggregates.push_back(aggregate_trace(frame, i, views[i]));
  }
  for (const auto& condition : rule.conditions) when_trace(frame, condition, views, trace);
  return trace;
}

}  // namespace bylaw::runtime
