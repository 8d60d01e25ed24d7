#include "bylaw/io/decision_decoder.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace bylaw::io {

// Ordered, so a decision read back encodes to the same bytes.
using json = nlohmann::ordered_json;

namespace {

Time time_of(const json& value) {
  return value.is_string() ? parse_rfc3339(value.get<std::string>()).value_or(Time{}) : Time{};
}

std::optional<Time> optional_time(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return time_of(*it);
}

std::string text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An aggregated event's "fields" and "private" (absent in traces written before they existed).
std::vector<runtime::FieldRead> fields_read(const json& entry) {
  std::vector<runtime::FieldRead> out;
  auto fields = entry.find("fields");
  if (fields == entry.end() || !fields->is_object()) return out;
  std::vector<std::string> hidden;
  if (auto it = entry.find("private"); it != entry.end() && it->is_array()) {
    for (const auto& name : *it) {
      if (name.is_string()) hidden.push_back(name.get<std::string>());
    }
  }
  for (const auto& [name, value] : fields->items()) {
    bool is_private = std::find(hidden.begin(), hidden.end(), name) != hidden.end();
    out.push_back({name, value.is_string() ? value.get<std::string>() : value.dump(), is_private});
  }
  return out;
}

runtime::ExprTrace expr_of(const json& node) {
  runtime::ExprTrace out;
  out.text = text(node, "expr");
  out.evaluated = !node.value("skipped", false);
  if (out.evaluated) out.value = text(node, "value");
  out.difference = text(node, "difference");
  if (auto it = node.find("operands"); it != node.end()) {
    for (const auto& operand : *it) out.operands.push_back(expr_of(operand));
  }
  return out;
}

check::DecisionKind kind_of(const std::string& name) {
  if (name == "hold") return check::DecisionKind::hold;
  if (name == "release") return check::DecisionKind::release;
  if (name == "alert") return check::DecisionKind::alert;
  return check::DecisionKind::eligibility;
}

check::AlertSeverity severity_of(const std::string& name) {
  if (name == "high") return check::AlertSeverity::high;
  if (name == "medium") return check::AlertSeverity::medium;
  return check::AlertSeverity::low;
}

check::Display display_of(const json& e, check::DecisionKind kind) {
  check::Display display;
  display.shown_to_account = kind != check::DecisionKind::alert;
  auto found = e.find("display");
  if (found == e.end() || !found->is_object()) return display;
  display.name = text(*found, "name");
  if (auto scope = found->find("scope"); scope != found->end()) {
    display.scope = scope->get<std::vector<std::string>>();
  }
  display.shown_to_account = found->value("shown_to_account", display.shown_to_account);
  return display;
}

// A timer's or decision's name and fields (decision_encoder's write_cause).
std::optional<runtime::TimerTrace> cause(const json& e, const char* key) {
  auto found = e.find(key);
  if (found == e.end() || !found->is_object()) return std::nullopt;
  runtime::TimerTrace trace{text(*found, "name"), {}};
  if (auto fields = found->find("fields"); fields != found->end() && fields->is_object()) {
    for (const auto& [name, value] : fields->items()) {
      trace.fields.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  return trace;
}

runtime::Trace trace_of(const json& e, check::DecisionKind kind) {
  runtime::Trace t;
  t.display = display_of(e, kind);
  t.rule = text(e, "rule");
  const json& source = e.at("source");
  t.file = text(source, "file");
  t.first_line = source.value("first_line", 0u);
  t.last_line = source.value("last_line", 0u);
  t.policy = text(e, "policy");
  t.policy_hash = text(e, "policy_hash");
  t.mode = text(e, "mode");
  for (const auto& [name, value] : e.at("parameters").items()) {
    t.parameters.push_back({name, value.get<std::string>()});
  }
  for (const auto& c : e.at("correlations")) {
    runtime::CorrelationTrace correlation;
    correlation.name = text(c, "name");
    correlation.event_type = text(c, "event_type");
    correlation.condition = text(c, "query");
    if (const json& found = c.at("found"); !found.is_null()) {
      correlation.found_id = text(found, "id");
      correlation.found_time = time_of(found.at("time"));
      for (const auto& [name, value] : found.at("fields").items()) {
        correlation.found_fields.emplace_back(name, value.get<std::string>());
      }
    }
    t.correlations.push_back(std::move(correlation));
  }
  for (const auto& c : e.at("conditions")) {
    t.conditions.push_back(
        {text(c, "clause"), text(c, "reason"), c.value("result", false), expr_of(c.at("expr"))});
  }
  for (const auto& a : e.at("aggregates")) {
    runtime::AggregateTrace aggregate;
    aggregate.name = text(a, "name");
    aggregate.function = text(a, "function");
    aggregate.of = text(a, "of");
    aggregate.per = text(a, "per");
    aggregate.key = text(a, "key");
    const json& window = a.at("window");
    aggregate.window = text(window, "duration");
    aggregate.from = time_of(window.at("from_exclusive"));
    aggregate.to = time_of(window.at("to_inclusive"));
    aggregate.after = optional_time(a, "after");
    for (const auto& c : a.at("counted")) {
      aggregate.counted.push_back(
          {text(c, "id"), time_of(c.at("time")), text(c, "value"), fields_read(c)});
    }
    for (const auto& l : a.at("left_out")) {
      aggregate.left_out.push_back(
          {text(l, "id"), time_of(l.at("time")), text(l, "reason"), fields_read(l)});
    }
    aggregate.result = text(a, "result");
    t.aggregates.push_back(std::move(aggregate));
  }
  for (const auto& m : e.at("margins")) {
    runtime::MarginTrace margin;
    margin.aggregate = text(m, "aggregate");
    margin.condition = text(m, "condition");
    margin.result = text(m, "result");
    margin.threshold = text(m, "threshold");
    margin.without = m.at("without").get<std::vector<std::string>>();
    margin.would_be = text(m, "would_be");
    margin.earliest_leaves_at = optional_time(m, "earliest_leaves_at");
    margin.then_value = text(m, "then_value");
    margin.statement = text(m, "statement");
    t.margins.push_back(std::move(margin));
  }
  t.summary = text(e, "summary");
  t.timer = cause(e, "timer");
  t.decision = cause(e, "decision");
  return t;
}

}  // namespace

std::optional<runtime::Decision> decode_decision(std::string_view line, std::string& error) {
  json d = json::parse(line.begin(), line.end(), nullptr, false);
  if (d.is_discarded() || !d.is_object()) {
    error = "not a decision: invalid JSON";
    return std::nullopt;
  }
  try {
    runtime::Decision out;
    out.id = text(d, "id");
    out.kind = kind_of(text(d, "kind"));
    out.name = text(d, "name");
    out.subject = text(d, "subject");
    out.time = time_of(d.at("time"));
    if (!d.at("trigger").is_null()) out.trigger = text(d, "trigger");
    out.rule = text(d, "rule");
    out.policy = text(d, "policy");
    out.policy_hash = text(d, "policy_hash");
    out.evidence = d.at("evidence").get<std::vector<std::string>>();
    out.shadow = d.value("shadow", false);
    out.appeal_eligible_at = optional_time(d, "appeal_eligible_at");
    if (auto it = d.find("scope"); it != d.end()) out.scope = it->get<std::vector<std::string>>();
    out.severity = severity_of(text(d, "severity"));
    out.eligible = d.value("eligible", false);
    out.reason = text(d, "reason");
    out.eligible_at = optional_time(d, "eligible_at");
    out.expires_at = optional_time(d, "expires_at");
    out.explanation = trace_of(d.at("explanation"), out.kind);
    return out;
  } catch (const json::exception& e) {
    error = std::string("not a decision: ") + e.what();
    return std::nullopt;
  }
}

const std::string* StoredPolicy::file(const std::string& path) const {
  for (const auto& [file_path, contents] : files) {
    if (file_path == path) return &contents;
  }
  return nullptr;
}

std::optional<StoredPolicy> decode_policy(std::string_view line, std::string& error) {
  json p = json::parse(line.begin(), line.end(), nullptr, false);
  if (p.is_discarded() || !p.is_object()) {
    error = "not a stored policy";
    return std::nullopt;
  }
  StoredPolicy out;
  out.name = text(p, "name");
  out.version = text(p, "version");
  out.hash = text(p, "hash");
  if (auto it = p.find("files"); it != p.end() && it->is_array()) {
    for (const auto& f : *it) out.files.emplace_back(text(f, "path"), text(f, "text"));
  }
  return out;
}

}  // namespace bylaw::io
