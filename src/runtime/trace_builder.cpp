// Builds the explanation of a firing rule from the values its evaluation used.
#include <cctype>

#include "bylaw/check/types.hpp"
#include "rule_runner.hpp"

namespace bylaw::runtime {

namespace {

std::string folded_source(const check::Policy& policy, Span span) {
  std::string_view raw = policy.sources->file(span.file).slice(span);
  std::string out;
  bool space = false;
  for (char c : raw) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool has_operands(const check::TExpr& expr) {
  using Kind = check::TExpr::Kind;
  return expr.kind == Kind::unary || expr.kind == Kind::binary || expr.kind == Kind::call;
}

std::string aggregate_function(const check::Aggregate& aggregate) {
  if (aggregate.function == check::AggregateFunction::sum) return "sum";
  return aggregate.distinct ? "count distinct" : "count";
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
  return out;
}

// Re-evaluating the conditions is pure: the frame only records the values they had.
Trace build_trace(Frame& frame, const std::vector<AggregateView>& views) {
  const check::Policy& policy = frame.policy;
  const check::Rule& rule = frame.rule;
  Trace trace;
  trace.rule = rule.name;
  trace.file = policy.sources->file(rule.span.file).path();
  trace.first_line = rule.first_line;
  trace.last_line = rule.last_line;
  trace.policy = policy.name + "@" + policy.version;
  trace.policy_hash = policy.hash;
  trace.mode = check::mode_name(rule.mode);
  for (auto index : rule.params_used) {
    const check::Param& param = policy.params[index];
    trace.parameters.push_back({param.name, check::display_value(param.value, param.type)});
  }
  for (std::uint32_t i = 0; i < rule.locals.size(); ++i) {
    const check::Local& def = rule.locals[i];
    if (def.source != check::Local::Source::latest) continue;
    const check::Correlation& correlation = rule.correlations[def.index];
    CorrelationTrace c;
    c.name = def.name;
    c.event_type = policy.schema.types[static_cast<std::size_t>(correlation.event_type)].name;
    c.condition = folded_source(policy, correlation.span);
    if (const Event* found = frame.locals[i].record) {
      c.found_id = found->id;
      c.found_time = found->time;
    }
    trace.correlations.push_back(std::move(c));
  }
  const Recorder& recorder = *frame.recorder;
  for (const auto& guard : rule.guards) {
    bool result = holds(guard, frame);
    trace.conditions.push_back({"where", "", result, trace_expr(guard, recorder)});
  }
  for (const auto& exclusion : rule.exclusions) {
    bool result = holds(exclusion.condition, frame);
    trace.conditions.push_back(
        {"exclude", exclusion.reason, result, trace_expr(exclusion.condition, recorder)});
  }
  for (std::size_t i = 0; i < rule.aggregates.size(); ++i) {
    const check::Aggregate& aggregate = rule.aggregates[i];
    const AggregateView& view = views[i];
    AggregateTrace a;
    for (const auto& local : rule.locals) {
      if (local.source == check::Local::Source::aggregate && local.index == i) a.name = local.name;
    }
    a.function = aggregate_function(aggregate);
    if (aggregate.value) a.of = aggregate.value->text;
    a.per = aggregate.key.text;
    a.key = view.key_text;
    a.window = check::display_value(evaluate(aggregate.window, frame), aggregate.window.type);
    a.from = view.lower;
    a.to = frame.now;
    a.after = view.after;
    AggregateLists lists = list_aggregate(view);
    for (const auto* entry : lists.counted) {
      std::string value;
      if (aggregate.value) value = check::display_value(entry->value, aggregate.value->type);
      a.counted.push_back({entry->event->id, entry->event->time, value});
    }
    for (const auto& [entry, reason] : lists.left_out) {
      a.left_out.push_back({entry->event->id, entry->event->time, reason});
    }
    a.result = check::display_value(aggregate_value(aggregate, view),
                                    check::Type::of(check::TypeKind::number));
    trace.aggregates.push_back(std::move(a));
  }
  for (const auto& condition : rule.conditions) {
    bool result = holds(condition, frame);
    trace.conditions.push_back({"when", "", result, trace_expr(condition, recorder)});
  }
  return trace;
}

}  // namespace bylaw::runtime
