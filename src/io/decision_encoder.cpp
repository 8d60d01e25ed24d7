#include "bylaw/io/decision_encoder.hpp"

#include <nlohmann/json.hpp>

#include "json_writer.hpp"

namespace bylaw::io {

using nlohmann::ordered_json;

namespace {

void time_or_null(JsonWriter& w, const std::optional<Time>& time) {
  if (time) {
    w.time(*time);
  } else {
    w.null();
  }
}

void write_strings(JsonWriter& w, const std::vector<std::string>& items) {
  w.begin_array();
  for (const auto& item : items) w.string(item);
  w.end_array();
}

void write_expr(JsonWriter& w, const runtime::ExprTrace& expr) {
  w.begin_object();
  w.field("expr", expr.text);
  w.key("value");
  if (expr.evaluated) {
    w.string(expr.value);
  } else {
    w.null();
    w.key("skipped");
    w.boolean(true);  // and/or decided without it
  }
  if (!expr.difference.empty()) w.field("difference", expr.difference);
  if (!expr.operands.empty()) {
    w.key("operands");
    w.begin_array();
    for (const auto& operand : expr.operands) write_expr(w, operand);
    w.end_array();
  }
  w.end_object();
}

void write_correlation(JsonWriter& w, const runtime::CorrelationTrace& c) {
  w.begin_object();
  w.field("name", c.name);
  w.field("event_type", c.event_type);
  w.field("query", c.condition);
  w.key("found");
  if (c.found_id) {
    w.begin_object();
    w.field("id", *c.found_id);
    w.time_field("time", *c.found_time);
    w.key("fields");
    w.begin_object();
    for (const auto& [name, value] : c.found_fields) w.field(name, value);
    w.end_object();
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
}

void write_condition(JsonWriter& w, const runtime::ConditionTrace& c) {
  w.begin_object();
  w.field("clause", c.clause);
  if (!c.reason.empty()) w.field("reason", c.reason);
  w.key("result");
  w.boolean(c.result);
  w.key("expr");
  write_expr(w, c.expr);
  w.end_object();
}

// "fields": what the rule read from the event, and "private": which of them the schema marks
// private (only when some are).
void write_fields_read(JsonWriter& w, const std::vector<runtime::FieldRead>& fields) {
  w.key("fields");
  w.begin_object();
  bool any_private = false;
  for (const auto& f : fields) {
    w.field(f.name, f.value);
    any_private = any_private || f.is_private;
  }
  w.end_object();
  if (!any_private) return;
  w.key("private");
  w.begin_array();
  for (const auto& f : fields) {
    if (f.is_private) w.string(f.name);
  }
  w.end_array();
}

void write_aggregate_entries(JsonWriter& w, const runtime::AggregateTrace& a) {
  w.key("counted");
  w.begin_array();
  for (const auto& e : a.counted) {
    w.begin_object();
    w.field("id", e.id);
    w.time_field("time", e.time);
    if (!e.value.empty()) w.field("value", e.value);
    write_fields_read(w, e.fields);
    w.end_object();
  }
  w.end_array();
  w.key("left_out");
  w.begin_array();
  for (const auto& e : a.left_out) {
    w.begin_object();
    w.field("id", e.id);
    w.time_field("time", e.time);
    w.field("reason", e.reason);
    write_fields_read(w, e.fields);
    w.end_object();
  }
  w.end_array();
}

void write_aggregate(JsonWriter& w, const runtime::AggregateTrace& a) {
  w.begin_object();
  w.field("name", a.name);
  w.field("function", a.function);
  if (!a.of.empty()) w.field("of", a.of);
  w.field("per", a.per);
  w.field("key", a.key);
  w.key("window");
  w.begin_object();
  w.field("duration", a.window);
  w.time_field("from_exclusive", a.from);
  w.time_field("to_inclusive", a.to);
  w.end_object();
  w.key("after");
  time_or_null(w, a.after);
  write_aggregate_entries(w, a);
  w.field("result", a.result);
  w.end_object();
}

// What set a rule off other than an event: a timer, or a decision (`on decision`).
template <std::size_t N>
void write_cause(JsonWriter& w, const char (&key)[N], const runtime::TimerTrace& cause) {
  w.key(key);
  w.begin_object();
  w.field("name", cause.name);
  w.key("fields");
  w.begin_object();
  for (const auto& [name, value] : cause.fields) w.field(name, value);
  w.end_object();
  w.end_object();
}

void write_margin(JsonWriter& w, const runtime::MarginTrace& m) {
  w.begin_object();
  w.field("aggregate", m.aggregate);
  w.field("condition", m.condition);
  w.field("result", m.result);
  w.field("threshold", m.threshold);
  w.key("without");
  write_strings(w, m.without);
  w.field("would_be", m.would_be);
  w.key("earliest_leaves_at");
  time_or_null(w, m.earliest_leaves_at);
  w.field("then_value", m.then_value);
  w.field("statement", m.statement);
  w.end_object();
}

// "key": [ each item written by `write` ]
template <std::size_t N, class Items, class Write>
void write_list(JsonWriter& w, const char (&key)[N], const Items& items, Write write) {
  w.key(key);
  w.begin_array();
  for (const auto& item : items) write(w, item);
  w.end_array();
}

// What the pack declares for the account's view; left out when nothing is (the default: the
// account reads names in words, and sees everything but alerts).
void write_display(JsonWriter& w, const check::Display& display, check::DecisionKind kind) {
  bool shown_by_default = kind != check::DecisionKind::alert;
  if (display.name.empty() && display.scope.empty() &&
      display.shown_to_account == shown_by_default) {
    return;
  }
  w.key("display");
  w.begin_object();
  w.field("name", display.name);
  w.key("scope");
  write_strings(w, display.scope);
  w.key("shown_to_account");
  w.boolean(display.shown_to_account);
  w.end_object();
}

void write_trace(JsonWriter& w, const runtime::Trace& trace, check::DecisionKind kind) {
  w.begin_object();
  w.field("rule", trace.rule);
  w.key("source");
  w.begin_object();
  w.field("file", trace.file);
  w.key("first_line");
  w.number(trace.first_line);
  w.key("last_line");
  w.number(trace.last_line);
  w.end_object();
  w.field("policy", trace.policy);
  w.field("policy_hash", trace.policy_hash);
  w.field("mode", trace.mode);
  w.key("parameters");
  w.begin_object();
  for (const auto& p : trace.parameters) w.field(p.name, p.value);
  w.end_object();
  write_list(w, "correlations", trace.correlations, write_correlation);
  write_list(w, "conditions", trace.conditions, write_condition);
  write_list(w, "aggregates", trace.aggregates, write_aggregate);
  write_list(w, "margins", trace.margins, write_margin);
  w.field("summary", trace.summary);
  if (trace.timer) write_cause(w, "timer", *trace.timer);
  if (trace.decision) write_cause(w, "decision", *trace.decision);
  write_display(w, trace.display, kind);
  w.end_object();
}

}  // namespace

std::string encode_decision(const runtime::Decision& decision) {
  std::string out;
  append_decision(decision, out);
  return out;
}

void append_decision(const runtime::Decision& d, std::string& out, Explanations explanations) {
  JsonWriter w(out);
  w.begin_object();
  w.field("id", d.id);
  w.field("kind", check::decision_kind_name(d.kind));
  w.field("name", d.name);
  w.field("subject", d.subject);
  w.time_field("time", d.time);
  w.key("trigger");
  if (d.trigger) {
    w.string(*d.trigger);
  } else {
    w.null();
  }
  w.field("rule", d.rule);
  w.field("policy", d.policy);
  w.field("policy_hash", d.policy_hash);
  switch (d.kind) {
    case check::DecisionKind::hold:
      w.key("appeal_eligible_at");
      time_or_null(w, d.appeal_eligible_at);
      if (!d.scope.empty()) {
        w.key("scope");
        write_strings(w, d.scope);
      }
      if (d.expires_at) w.time_field("expires_at", *d.expires_at);
      break;
    case check::DecisionKind::release:
      break;
    case check::DecisionKind::alert:
      w.field("severity", check::severity_name(d.severity));
      break;
    case check::DecisionKind::eligibility:
      w.key("eligible");
      w.boolean(d.eligible);
      if (!d.eligible) w.field("reason", d.reason);
      if (d.eligible_at) w.time_field("eligible_at", *d.eligible_at);
      break;
  }
  if (d.shadow) {
    w.key("shadow");
    w.boolean(true);
  }
  w.key("evidence");
  write_strings(w, d.evidence);
  switch (explanations) {
    case Explanations::inline_trace:
      w.key("explanation");
      write_trace(w, d.explanation, d.kind);
      break;
    case Explanations::in_store:
      w.key("explanation");
      w.begin_object();
      w.key("in_store");
      w.boolean(true);
      w.end_object();
      break;
    case Explanations::none:
      break;
  }
  w.end_object();
}

std::string encode_explanation(const runtime::Decision& decision) {
  std::string compact;
  JsonWriter w(compact);
  write_trace(w, decision.explanation, decision.kind);
  w.finish();
  return ordered_json::parse(compact).dump(2, ' ', false, ordered_json::error_handler_t::replace);
}

std::string encode_subject_view(const explain::SubjectView& v) {
  ordered_json out;
  out["decision"] = v.decision_id;
  out["kind"] = v.kind;
  out["name"] = v.name;
  out["title"] = v.title;
  out["subject"] = v.subject;
  out["time"] = format_rfc3339(v.time);
  out["what"] = v.what;
  out["why"] = v.why;
  out["rule"] = v.rule;
  out["policy"] = v.policy;
  out["counts"] = v.counts;
  ordered_json dates = ordered_json::array();
  for (auto t : v.dates) dates.push_back(format_rfc3339(t));
  out["dates"] = std::move(dates);
  out["dates_withheld"] = v.dates_withheld;
  out["margin"] = v.margin;
  out["next"] = v.next;
  return out.dump(2, ' ', false, ordered_json::error_handler_t::replace);
}

std::string encode_reject(std::uint64_t line, std::string_view reason, std::string_view detail,
                          std::string_view input) {
  ordered_json out;
  out["line"] = line;
  out["reason"] = reason;
  if (!detail.empty()) out["detail"] = detail;
  out["input"] = input;
  return out.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace bylaw::io
