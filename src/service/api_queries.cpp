#include "api_queries.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "bylaw/explain/explain.hpp"
#include "bylaw/io/audit_pages.hpp"
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
  std::optional<Time> t = parse_time_or_date(text);
  if (!t) {
    throw std::invalid_argument(
        fmt::format("{}={}: not an RFC 3339 time or a date (2026-04-22)", name, text));
  }
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

// A page of decisions: their JSON, and the cursor of the next page (null on the last).
json page(const std::vector<io::FoundDecision>& found, std::size_t limit) {
  json decisions = json::array();
  for (const auto& d : found) decisions.push_back(json::parse(d.json));
  json next = found.size() == limit ? json(found.back().cursor) : json(nullptr);
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
  io::DecisionLoader loader(store, "/v1/decisions/{}?format=html");
  std::optional<io::LoadedDecision> d = loader.load(id);
  if (!d) return not_found(fmt::format("no decision '{}' in the store", id));
  auto audience =
      audience_name == "subject" ? explain::Audience::subject : explain::Audience::auditor;
  if (audience == explain::Audience::subject && !explain::has_subject_view(d->decision)) {
    return not_found(
        fmt::format("'{}' is an alert for trust-and-safety staff: the account has "
                    "no view of it",
                    id));
  }
  if (format == "html") {
    return {200, explain::render_html(d->decision, audience, d->source(), d->context),
            "text/html; charset=utf-8"};
  }
  if (audience == explain::Audience::subject) {
    return {200, io::encode_subject_view(explain::subject_view(d->decision)) + "\n"};
  }
  return {200, d->json + "\n"};
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
  q.after = param(params, "after");
  return {200, page(store.search(q), q.limit).dump() + "\n"};
}

ApiAnswer subject_answer(const io::AuditStore& store, const std::string& subject,
                         const Params& params) {
  allow_only(params, {"limit", "after", "audience"});
  bool for_subject = one_of(params, "audience", {"auditor", "subject"}) == "subject";
  // Active holds: holds no later release of the same name lifted.
  io::DecisionQuery holds_query;
  holds_query.subject = subject;
  holds_query.active_holds = true;
  holds_query.limit = kMaxLimit;
  json active = json::array();
  for (const auto& found : store.search(holds_query)) {
    json d = json::parse(found.json);
    active.push_back({{"name", d["name"]},
                      {"since", d["time"]},
                      {"decision", d["id"]},
                      {"scope", d["scope"]},
                      {"appeal_eligible_at", d["appeal_eligible_at"]}});
  }
  io::DecisionQuery q;
  q.subject = subject;
  q.limit = limit_param(params);
  q.after = param(params, "after");
  json history = page(store.search(q), q.limit);
  if (for_subject) {
    // The account's own view of each decision: why, in its words, naming no one else. Alerts
    // are for staff: left out.
    json views = json::array();
    for (const json& d : history["decisions"]) {
      std::string error;
      std::optional<runtime::Decision> decision = io::decode_decision(d.dump(), error);
      if (!decision) throw std::runtime_error("a stored decision does not read back: " + error);
      if (!explain::has_subject_view(*decision)) continue;
      views.push_back(json::parse(io::encode_subject_view(explain::subject_view(*decision))));
    }
    history["decisions"] = std::move(views);
    for (json& hold : active) hold.erase("decision");
  }
  json body = {{"subject", subject},
               {"active_holds", std::move(active)},
               {"history", std::move(history["decisions"])},
               {"next", std::move(history["next"])}};
  return {200, body.dump() + "\n"};
}

}  // namespace bylaw::service
