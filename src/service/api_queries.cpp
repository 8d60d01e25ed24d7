#include "api_queries.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "bylaw/explain/explain.hpp"
#include "bylaw/io/decision_decoder.hpp"
#include "bylaw/io/decision_encoder.hpp"

namespace bylaw::service {

namespace {

using json = nlohmann::ordered_json;

constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxLimit = 1000;

// A misspelled or repeated parameter is an error, not a filter silently left out.
void allow_only(const Params& params, std::initializer_list<const char*> known) {
  for (const auto& [name, value] : params) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw std::invalid_argument(fmt::format("unknown parameter '{}' (this endpoint takes {})",
                                              name, fmt::join(known, ", ")));
    }
    if (params.count(name) > 1) throw std::invalid_argument(fmt::format("{} is given twice", name));
  }
}

std::string param(const Params& params, const std::string& name, const std::string& fallback = "") {
  auto it = params.find(name);
  return it == params.end() ? fallback : it->second;
}

std::string one_of(const Params& params, const std::string& name,
                   std::initializer_list<const char*> choices) {
  std::string value = param(params, name, *choices.begin());
  for (const char* c : choices) {
    if (value == c) return value;
  }
  throw std::invalid_argument(
      fmt::format("{}={}: expected one of {}", name, value, fmt::join(choices, ", ")));
}

std::optional<Time> time_param(const Params& params, const std::string& name) {
  std::string text = param(params, name);
  if (text.empty()) return std::nullopt;
  std::optional<Time> t = parse_rfc3339(text);
  if (!t) throw std::invalid_argument(fmt::format("{}={}: not an RFC 3339 time", name, text));
  return t;
}

std::size_t limit_param(const Params& params) {
  std::string text = param(params, "limit");
  if (text.empty()) return kDefaultLimit;
  std::size_t used = 0;
  unsigned long n = 0;
  try {
    n = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || n == 0 || n > kMaxLimit) {
    throw std::invalid_argument(fmt::format("limit={}: a number from 1 to {}", text, kMaxLimit));
  }
  return n;
}

std::optional<std::int64_t> cursor_param(const Params& params) {
  std::string text = param(params, "after");
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  long long n = -1;
  try {
    n = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || n < 0) {
    throw std::invalid_argument(fmt::format("after={}: the `next` of an earlier page", text));
  }
  return n;
}

// A page of decisions: their JSON, and the cursor of the next page (null on the last).
json page(const std::vector<io::FoundDecision>& found, std::size_t limit) {
  json decisions = json::array();
  for (const auto& d : found) decisions.push_back(json::parse(d.json));
  json next = found.size() == limit ? json(std::to_string(found.back().seq)) : json(nullptr);
  return {{"decisions", std::move(decisions)}, {"next", std::move(next)}};
}

ApiAnswer not_found(const std::string& what) {
  return {404, json{{"error", what}}.dump() + "\n", "application/json"};
}

}  // namespace

ApiAnswer decision_answer(const io::AuditStore& store, const std::string& id,
                          const Params& params) {
  allow_only(params, {"format", "audience"});
  std::string format = one_of(params, "format", {"json", "html"});
  std::string audience_name = one_of(params, "audience", {"auditor", "subject"});
  auto stored = store.decision_json(id);
  if (!stored) return not_found(fmt::format("no decision '{}' in the store", id));
  std::string error;
  std::optional<runtime::Decision> decision = io::decode_decision(*stored, error);
  if (!decision) throw std::runtime_error("a stored decision does not read back: " + error);
  auto audience =
      audience_name == "subject" ? explain::Audience::subject : explain::Audience::auditor;
  if (format == "html") {
    std::optional<io::StoredPolicy> policy;
    if (auto policy_json = store.policy_json(decision->policy_hash)) {
      policy = io::decode_policy(*policy_json, error);
    }
    const std::string* source = policy ? policy->file(decision->explanation.file) : nullptr;
    return {200, explain::render_html(*decision, audience, source), "text/html; charset=utf-8"};
  }
  if (audience == explain::Audience::subject) {
    return {200, io::encode_subject_view(explain::subject_view(*decision)) + "\n"};
  }
  return {200, *stored + "\n"};
}

ApiAnswer search_answer(const io::AuditStore& store, const Params& params) {
  allow_only(params, {"subject", "rule", "kind", "name", "from", "to", "event", "limit", "after"});
  io::DecisionQuery q;
  q.subject = param(params, "subject");
  q.rule = param(params, "rule");
  q.kind = param(params, "kind");
  if (!q.kind.empty()) one_of(params, "kind", {"hold", "release", "alert", "eligibility"});
  q.name = param(params, "name");
  q.event = param(params, "event");
  q.from = time_param(params, "from");
  q.to = time_param(params, "to");
  q.limit = limit_param(params);
  q.before = cursor_param(params);
  return {200, page(store.search(q), q.limit).dump() + "\n"};
}

ApiAnswer subject_answer(const io::AuditStore& store, const std::string& subject,
                         const Params& params) {
  allow_only(params, {"limit", "after", "audience"});
  bool for_subject = one_of(params, "audience", {"auditor", "subject"}) == "subject";
  // Active holds: the last hold or release of each name decides.
  std::map<std::string, json> holds;
  for (const auto& text : store.subject_decisions(subject)) {
    json d = json::parse(text);
    std::string kind = d.value("kind", "");
    if (kind == "hold") {
      holds[d.value("name", "")] = {{"name", d["name"]},
                                    {"since", d["time"]},
                                    {"decision", d["id"]},
                                    {"scope", d["scope"]},
                                    {"appeal_eligible_at", d["appeal_eligible_at"]}};
    } else if (kind == "release") {
      holds.erase(d.value("name", ""));
    }
  }
  json active = json::array();
  for (auto& [name, hold] : holds) active.push_back(std::move(hold));
  io::DecisionQuery q;
  q.subject = subject;
  q.limit = limit_param(params);
  q.before = cursor_param(params);
  json history = page(store.search(q), q.limit);
  if (for_subject) {
    // The account's own view of each decision: why, in its words, naming no one else.
    for (json& d : history["decisions"]) {
      std::string error;
      std::optional<runtime::Decision> decision = io::decode_decision(d.dump(), error);
      if (!decision) throw std::runtime_error("a stored decision does not read back: " + error);
      d = json::parse(io::encode_subject_view(explain::subject_view(*decision)));
    }
    for (json& hold : active) hold.erase("decision");
  }
  json body = {{"subject", subject},
               {"active_holds", std::move(active)},
               {"history", std::move(history["decisions"])},
               {"next", std::move(history["next"])}};
  return {200, body.dump() + "\n"};
}

}  // namespace bylaw::service
