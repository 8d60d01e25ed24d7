// Runs a policy test case: its events go through the same decoder and engine as `bylaw run`,
// as JSON lines, so a test exercises exactly what production does.
#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/author/policy_test.hpp"
#include "bylaw/core/suggest.hpp"
#include "bylaw/explain/explain.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "unquote.hpp"

namespace bylaw::author {

namespace {

using check::TypeKind;

// Why a case could not even run: a problem with the test, not with the policy.
struct TestError {
  std::uint32_t line;
  std::string message;
};

std::optional<Time> resolve(const std::string& text, std::optional<Time> start) {
  if (!text.empty() && text[0] == '+') {
    if (!start) return std::nullopt;
    auto offset = parse_duration(std::string_view(text).substr(1));
    if (!offset) return std::nullopt;
    return add(*start, *offset);
  }
  return parse_rfc3339(text);
}

Time resolve_or_throw(const WrittenTime& written, std::optional<Time> start) {
  if (auto time = resolve(written.text, start)) return *time;
  bool relative = !written.text.empty() && written.text[0] == '+';
  throw TestError{written.line,
                  relative && !start
                      ? fmt::format("'{}' is relative, but the test has no `start`", written.text)
                      : fmt::format("'{}' is not a time: RFC 3339 (2026-01-01T00:00:00Z) or an "
                                    "offset from the start (+14d, +1d2h)",
                                    written.text)};
}

// Numbers as a test writes them, for event fields and parameters alike.
std::optional<std::int64_t> integer_of(const std::string& text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}
std::optional<double> number_of(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_number()) return std::nullopt;
  return parsed.get<double>();
}

// A field's JSON, from what the test wrote, by the field's type in the schema.
nlohmann::json field_json(const check::FieldDef& field, const std::string& value,
                          std::optional<Time> start, std::uint32_t line) {
  auto bad = [&](const char* expected) {
    return TestError{line, fmt::format("field {}: '{}' is not {}", field.name, value, expected)};
  };
  switch (field.type.kind) {
    case TypeKind::boolean:
      if (value != "true" && value != "false") throw bad("true or false");
      return value == "true";
    case TypeKind::integer:
      if (auto n = integer_of(value)) return *n;
      throw bad("an integer");
    case TypeKind::number:
      if (auto n = number_of(value)) return *n;
      throw bad("a number");
    case TypeKind::time:
      return format_rfc3339(resolve_or_throw(WrittenTime{value, line}, start));
    case TypeKind::string_set: {
      if (value.size() < 2 || value.front() != '[' || value.back() != ']') {
        throw bad("a list such as [skills,performance] or []");
      }
      return list_items(value);
    }
    default:  // id, string, enum, duration: as written
      return unquoted(value);
  }
}

// ": did you mean 'x'?" for a name not found among `names`, or nothing.
std::string hint(const std::string& name, const std::vector<std::string>& names) {
  std::string suggested = suggestion(name, names);
  return suggested.empty() ? suggested : ": " + suggested;
}

std::string event_line(const check::Schema& schema, const EventSpec& spec, std::size_t index,
                       std::optional<Time> start) {
  int type = schema.find(spec.type);
  if (type < 0 || schema.types[static_cast<std::size_t>(type)].raised()) {
    std::vector<std::string> names;
    for (const auto& t : schema.types) {
      if (!t.raised()) names.push_back(t.name);
    }
    throw TestError{spec.line,
                    fmt::format("unknown event type '{}'{}", spec.type, hint(spec.type, names))};
  }
  const check::EventTypeDef& def = schema.types[static_cast<std::size_t>(type)];
  nlohmann::ordered_json data = nlohmann::ordered_json::object();
  for (const auto& [name, value] : spec.fields) {
    const check::FieldDef* field = def.find(name);
    if (!field) {
      std::vector<std::string> names;
      for (const auto& f : def.fields) names.push_back(f.name);
      throw TestError{spec.line,
                      fmt::format("{} has no field '{}'{}", spec.type, name, hint(name, names))};
    }
    data[name] = field_json(*field, value, start, spec.line);
  }
  nlohmann::ordered_json event;
  event["specversion"] = "1.0";
  event["id"] = spec.id.empty() ? fmt::format("e-{}", index + 1) : spec.id;
  event["source"] = "bylaw-test";
  event["type"] = spec.type;
  event["time"] = format_rfc3339(resolve_or_throw(spec.time, start));
  event["data"] = std::move(data);
  return event.dump();
}

// A parameter's value for one case, as the pack would write it.
Value param_value(const check::Param& param, const std::string& text, std::uint32_t line) {
  auto bad = [&](const char* expected) {
    return TestError{line, fmt::format("set {}: '{}' is not {}", param.name, text, expected)};
  };
  switch (param.type.kind) {
    case TypeKind::integer:
      if (auto n = integer_of(text)) return *n;
      throw bad("an integer");
    case TypeKind::number:
      if (auto n = number_of(text)) return *n;
      throw bad("a number");
    case TypeKind::duration:
      if (auto d = parse_duration(text)) return *d;
      throw bad("a duration (30d, 6mo, 24h)");
    case TypeKind::boolean:
      if (text != "true" && text != "false") throw bad("true or false");
      return text == "true";
    case TypeKind::string:
    case TypeKind::id:
      return unquoted(text);
    case TypeKind::string_set: {
      if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
        throw bad("a set such as {skills, performance}");
      }
      return StringSet::from(list_items(text));
    }
    default:
      throw TestError{
          line, fmt::format("set {}: parameters of this type cannot be set by a test", param.name)};
  }
}

std::string relative(Time time, std::optional<Time> start) {
  std::string out = format_rfc3339(time);
  if (start && time.micros >= start->micros) {
    out += fmt::format(" (+{})", format_duration(Duration{0, time.micros - start->micros}));
  }
  return out;
}

bool matches(const Expectation& e, const runtime::Decision& d, std::optional<Time> start) {
  if (e.kind != check::decision_kind_name(d.kind) || e.name != d.name || e.subject != d.subject) {
    return false;
  }
  if (e.time && resolve_or_throw(*e.time, start) != d.time) return false;
  if (e.trigger && *e.trigger != d.trigger.value_or("timer")) return false;
  if (e.eligible && (d.kind != check::DecisionKind::eligibility || *e.eligible != d.eligible)) {
    return false;
  }
  if (e.reason && *e.reason != d.reason) return false;
  if (e.eligible_at &&
      (!d.eligible_at || resolve_or_throw(*e.eligible_at, start) != *d.eligible_at)) {
    return false;
  }
  if (e.appeal_eligible_at &&
      (!d.appeal_eligible_at ||
       resolve_or_throw(*e.appeal_eligible_at, start) != *d.appeal_eligible_at)) {
    return false;
  }
  if (e.expires_at && (!d.expires_at || resolve_or_throw(*e.expires_at, start) != *d.expires_at)) {
    return false;
  }
  if (e.not_appealable && (d.kind != check::DecisionKind::hold || d.appeal_eligible_at)) {
    return false;
  }
  if (e.severity &&
      (d.kind != check::DecisionKind::alert || *e.severity != check::severity_name(d.severity))) {
    return false;
  }
  if (e.scope && *e.scope != d.scope) return false;
  if (e.evidence && *e.evidence != d.evidence) return false;
  return !e.message || *e.message == d.explanation.summary;
}

std::string describe_expectation(const Expectation& e) {
  std::string out = fmt::format("{} {} on {}", e.kind, e.name, e.subject);
  if (e.time) out += " at " + e.time->text;
  if (e.trigger) out += " trigger=" + *e.trigger;
  if (e.eligible) out += *e.eligible ? " eligible=true" : " eligible=false";
  if (e.reason) out += " reason=" + *e.reason;
  if (e.eligible_at) out += " eligible_at=" + e.eligible_at->text;
  if (e.appeal_eligible_at) out += " appeal_eligible_at=" + e.appeal_eligible_at->text;
  if (e.expires_at) out += " expires_at=" + e.expires_at->text;
  if (e.not_appealable) out += " appeal_eligible_at=none";
  if (e.severity) out += " severity=" + *e.severity;
  if (e.scope) out += fmt::format(" scope=[{}]", fmt::join(*e.scope, ","));
  if (e.evidence) out += fmt::format(" evidence=[{}]", fmt::join(*e.evidence, ","));
  if (e.message) out += fmt::format(" message=\"{}\"", *e.message);
  return out;
}

std::string indented(const std::string& text, const std::string& by) {
  std::string out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    out += by + text.substr(begin, end - begin) + "\n";
    begin = end + 1;
  }
  return out;
}

struct Collect : runtime::DecisionSink {
  std::vector<runtime::Decision> all;
  void on_decision(const runtime::Decision& d) override {
    if (!d.shadow) all.push_back(d);
  }
};

}  // namespace

std::string describe(const runtime::Decision& d, std::optional<Time> start) {
  std::string out =
      fmt::format("{} {} on {} at {} trigger={}", check::decision_kind_name(d.kind), d.name,
                  d.subject, relative(d.time, start), d.trigger.value_or("timer"));
  if (d.kind == check::DecisionKind::eligibility) {
    out += d.eligible ? " eligible=true" : fmt::format(" eligible=false reason={}", d.reason);
    if (d.eligible_at) out += " eligible_at=" + format_rfc3339(*d.eligible_at);
  }
  if (d.appeal_eligible_at) out += " appeal_eligible_at=" + format_rfc3339(*d.appeal_eligible_at);
  if (d.expires_at) out += " expires_at=" + format_rfc3339(*d.expires_at);
  return out;
}

namespace {

// The case's policy (the pack with the case's `set`s) and its event lines; TestError when a
// start, a parameter or an event is wrong.
std::vector<std::string> prepare(check::Policy& policy, const TestCase& test,
                                 std::optional<Time>& start) {
  if (test.start) {
    start = parse_rfc3339(test.start->text);
    if (!start)
      throw TestError{test.start->line,
                      fmt::format("start '{}' is not an RFC 3339 time", test.start->text)};
  }
  for (const auto& setting : test.params) {
    std::optional<std::size_t> index = policy.find_param(setting.name);
    if (!index) {
      std::vector<std::string> names;
      for (const auto& p : policy.params) names.push_back(p.name);
      throw TestError{setting.line, fmt::format("set: the policy has no parameter '{}'{}",
                                                setting.name, hint(setting.name, names))};
    }
    auto& param = policy.params[*index];
    param.value = param_value(param, setting.value, setting.line);
  }
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < test.events.size(); ++i) {
    lines.push_back(event_line(policy.schema, test.events[i], i, start));
  }
  return lines;
}

// Each expectation takes the first decision it matches that no earlier one took. What is
// expected and was not made goes to `missing`; what was made and not expected (unless others
// are allowed), to `unexpected`.
void judge(const TestCase& test, const std::vector<runtime::Decision>& made,
           std::optional<Time> start, std::vector<const Expectation*>& missing,
           std::vector<std::size_t>& unexpected) {
  std::vector<bool> taken(made.size(), false);
  for (const auto& e : test.expectations) {
    bool found = false;
    for (std::size_t i = 0; i < made.size() && !found; ++i) {
      if (!taken[i] && matches(e, made[i], start)) taken[i] = found = true;
    }
    if (!found) missing.push_back(&e);
  }
  if (test.allow_others) return;
  for (std::size_t i = 0; i < made.size(); ++i) {
    if (!taken[i]) unexpected.push_back(i);
  }
}

// The decision kind an action makes, as test files spell it; empty for those that make none.
const char* kind_made(check::ActionKind kind) {
  switch (kind) {
    case check::ActionKind::hold:
      return "hold";
    case check::ActionKind::alert:
      return "alert";
    case check::ActionKind::eligibility:
      return "eligibility";
    default:
      return "";
  }
}

// For an expectation of a name no rule makes: what it may have meant.
std::string unknown_name_note(const check::Policy& policy, const Expectation& e) {
  std::string kind = e.kind == "release" ? "hold" : e.kind;  // what is released was held
  std::vector<std::string> made;
  for (const auto& rule : policy.rules) {
    for (const auto& action : rule.actions) {
      if (action.static_name && kind == kind_made(action.kind)) made.push_back(*action.static_name);
    }
  }
  if (std::find(made.begin(), made.end(), e.name) != made.end()) return {};
  return fmt::format("  no rule makes {} '{}'{}", kind, e.name, hint(e.name, made));
}

// The diff of expected and made, then the full trace of each decision that was not expected.
std::string failure_report(const check::Policy& policy, const std::vector<runtime::Decision>& made,
                           std::optional<Time> start,
                           const std::vector<const Expectation*>& missing,
                           const std::vector<std::size_t>& unexpected) {
  std::string out = "  - expected, not made   + made, not expected\n";
  for (const Expectation* e : missing) {
    out += fmt::format("  - {}   (line {}){}\n", describe_expectation(*e), e->line,
                       unknown_name_note(policy, *e));
  }
  for (std::size_t i = 0; i < made.size(); ++i) {
    bool differs = std::find(unexpected.begin(), unexpected.end(), i) != unexpected.end();
    out += fmt::format("  {} {}\n", differs ? '+' : ' ', describe(made[i], start));
  }
  for (std::size_t i : unexpected) {
    const runtime::Decision& d = made[i];
    const std::string* source = nullptr;
    if (std::optional<std::size_t> r = policy.find_rule(d.rule)) {
      source = &policy.sources->file(policy.rules[*r].span.file).text();
    }
    out += fmt::format("  trace of + {}:\n", describe(d, start));
    out += indented(explain::render_text(d, explain::Audience::auditor, source), "    ");
  }
  return out;
}

}  // namespace

CaseResult run_case(const check::Policy& base, const TestFile& file, const TestCase& test,
                    Coverage* coverage) {
  CaseResult result;
  if (!test.errors.empty()) {
    result.report = fmt::format("{}\n", fmt::join(test.errors, "\n"));
    return result;
  }
  check::Policy policy = base;
  std::optional<Time> start;
  std::vector<std::string> lines;
  try {
    lines = prepare(policy, test, start);
  } catch (const TestError& e) {
    result.report = fmt::format("{}:{}: {}\n", file.path, e.line, e.message);
    return result;
  }
  Collect sink;
  std::string rejects;
  io::RunOptions options;
  options.observer = coverage;
  io::StreamRunner runner(
      policy, sink,
      [&](std::uint64_t line, std::string_view reason, std::string_view detail, std::string_view) {
        rejects += fmt::format("{}:{}: the event was rejected: {}: {}\n", file.path,
                               test.events[line - 1].line, reason, detail);
      },
      options);
  for (const auto& line : lines) runner.line(line);
  runner.finish();
  result.decisions = sink.all;
  if (!rejects.empty()) {
    result.report = rejects;
    return result;
  }
  std::vector<const Expectation*> missing;
  std::vector<std::size_t> unexpected;
  try {
    judge(test, sink.all, start, missing, unexpected);
  } catch (const TestError& e) {
    result.report = fmt::format("{}:{}: {}\n", file.path, e.line, e.message);
    return result;
  }
  result.passed = missing.empty() && unexpected.empty();
  if (!result.passed) result.report = failure_report(policy, sink.all, start, missing, unexpected);
  return result;
}

}  // namespace bylaw::author
