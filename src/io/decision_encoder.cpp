#include "bylaw/io/decision_encoder.hpp"

#include <nlohmann/json.hpp>

namespace bylaw::io {

using nlohmann::ordered_json;

namespace {

ordered_json time_json(const std::optional<Time>& time) {
  return time ? ordered_json(format_rfc3339(*time)) : ordered_json(nullptr);
}

ordered_json expr_json(const runtime::ExprTrace& expr) {
  ordered_json out;
  out["expr"] = expr.text;
  if (expr.evaluated) {
    out["value"] = expr.value;
  } else {
    out["value"] = nullptr;
    out["skipped"] = true;  // and/or decided without it
  }
  if (!expr.difference.empty()) out["difference"] = expr.difference;
  if (!expr.operands.empty()) {
    ordered_json operands = ordered_json::array();
    for (const auto& operand : expr.operands) operands.push_back(expr_json(operand));
    out["operands"] = std::move(operands);
  }
  return out;
}

ordered_json trace_json(const runtime::Trace& trace) {
  ordered_json out;
  out["rule"] = trace.rule;
  out["source"] = {
      {"file", trace.file}, {"first_line", trace.first_line}, {"last_line", trace.last_line}};
  out["policy"] = trace.policy;
  out["policy_hash"] = trace.policy_hash;
  out["mode"] = trace.mode;
  ordered_json parameters = ordered_json::object();
  for (const auto& p : trace.parameters) parameters[p.name] = p.value;
  out["parameters"] = std::move(parameters);
  ordered_json correlations = ordered_json::array();
  for (const auto& c : trace.correlations) {
    ordered_json found = nullptr;
    if (c.found_id) {
      found = {{"id", *c.found_id}, {"time", format_rfc3339(*c.found_time)}};
      ordered_json fields = ordered_json::object();
      for (const auto& [name, value] : c.found_fields) fields[name] = value;
      found["fields"] = std::move(fields);
    }
    correlations.push_back(
        {{"name", c.name}, {"event_type", c.event_type}, {"query", c.condition}, {"found", found}});
  }
  out["correlations"] = std::move(correlations);
  ordered_json conditions = ordered_json::array();
  for (const auto& c : trace.conditions) {
    ordered_json condition;
    condition["clause"] = c.clause;
    if (!c.reason.empty()) condition["reason"] = c.reason;
    condition["result"] = c.result;
    condition["expr"] = expr_json(c.expr);
    conditions.push_back(std::move(condition));
  }
  out["conditions"] = std::move(conditions);
  ordered_json aggregates = ordered_json::array();
  for (const auto& a : trace.aggregates) {
    ordered_json aggregate;
    aggregate["name"] = a.name;
    aggregate["function"] = a.function;
    if (!a.of.empty()) aggregate["of"] = a.of;
    aggregate["per"] = a.per;
    aggregate["key"] = a.key;
    aggregate["window"] = {{"duration", a.window},
                           {"from_exclusive", format_rfc3339(a.from)},
                           {"to_inclusive", format_rfc3339(a.to)}};
    aggregate["after"] = time_json(a.after);
    ordered_json counted = ordered_json::array();
    for (const auto& e : a.counted) {
      ordered_json item = {{"id", e.id}, {"time", format_rfc3339(e.time)}};
      if (!e.value.empty()) item["value"] = e.value;
      counted.push_back(std::move(item));
    }
    aggregate["counted"] = std::move(counted);
    ordered_json left_out = ordered_json::array();
    for (const auto& e : a.left_out) {
      left_out.push_back({{"id", e.id}, {"time", format_rfc3339(e.time)}, {"reason", e.reason}});
    }
    aggregate["left_out"] = std::move(left_out);
    aggregate["result"] = a.result;
    aggregates.push_back(std::move(aggregate));
  }
  out["aggregates"] = std::move(aggregates);
  ordered_json margins = ordered_json::array();
  for (const auto& m : trace.margins) {
    ordered_json margin;
    margin["aggregate"] = m.aggregate;
    margin["condition"] = m.condition;
    margin["result"] = m.result;
    margin["threshold"] = m.threshold;
    margin["without"] = m.without;
    margin["would_be"] = m.would_be;
    margin["earliest_leaves_at"] = time_json(m.earliest_leaves_at);
    margin["then_value"] = m.then_value;
    margin["statement"] = m.statement;
    margins.push_back(std::move(margin));
  }
  out["margins"] = std::move(margins);
  out["summary"] = trace.summary;
  return out;
}

}  // namespace

std::string encode_decision(const runtime::Decision& d) {
  ordered_json out;
  out["id"] = d.id;
  out["kind"] = check::decision_kind_name(d.kind);
  out["name"] = d.name;
  out["subject"] = d.subject;
  out["time"] = format_rfc3339(d.time);
  out["trigger"] = d.trigger ? ordered_json(*d.trigger) : ordered_json(nullptr);
  out["rule"] = d.rule;
  out["policy"] = d.policy;
  out["policy_hash"] = d.policy_hash;
  switch (d.kind) {
    case check::DecisionKind::hold:
      out["appeal_eligible_at"] = time_json(d.appeal_eligible_at);
      if (!d.scope.empty()) out["scope"] = d.scope;
      break;
    case check::DecisionKind::release:
      break;
    case check::DecisionKind::alert:
      out["severity"] = check::severity_name(d.severity);
      break;
    case check::DecisionKind::eligibility:
      out["eligible"] = d.eligible;
      if (!d.eligible) out["reason"] = d.reason;
      if (d.eligible_at) out["eligible_at"] = format_rfc3339(*d.eligible_at);
      break;
  }
  if (d.shadow) out["shadow"] = true;
  out["evidence"] = d.evidence;
  out["explanation"] = trace_json(d.explanation);
  return out.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string encode_explanation(const runtime::Decision& decision) {
  return trace_json(decision.explanation)
      .dump(2, ' ', false, ordered_json::error_handler_t::replace);
}

std::string encode_subject_view(const explain::SubjectView& v) {
  ordered_json out;
  out["decision"] = v.decision_id;
  out["kind"] = v.kind;
  out["name"] = v.name;
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
