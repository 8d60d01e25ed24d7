#include "bylaw/io/audit_pages.hpp"

#include <stdexcept>

namespace bylaw::io {

DecisionLoader::DecisionLoader(const AuditStore& store, std::string decision_link)
    : store_(store), decision_link_(std::move(decision_link)) {}

std::shared_ptr<const StoredPolicy> DecisionLoader::policy(const std::string& hash) {
  auto it = policies_.find(hash);
  if (it != policies_.end()) return it->second;
  std::shared_ptr<const StoredPolicy> loaded;
  std::string error;
  if (auto json = store_.policy_json(hash)) {
    if (auto decoded = decode_policy(*json, error)) {
      loaded = std::make_shared<const StoredPolicy>(std::move(*decoded));
    }
  }
  policies_[hash] = loaded;
  return loaded;
}

// A timer's decision follows the hold the timer is about: the latest hold of that name on the
// account at or before the timer fired, or, for an expiry, the one placed when it says.
std::string DecisionLoader::timer_started_by(const runtime::Decision& d) const {
  const auto& timer = d.explanation.timer;
  if (!timer) return {};
  DecisionQuery q;
  q.subject = d.subject;
  q.kind = "hold";
  Time until = d.time;
  for (const auto& [name, value] : timer->fields) {
    if (name == "hold") q.name = value;
    if (name == "placed_at") {
      if (auto placed = parse_rfc3339(value)) until = *placed;
    }
  }
  if (q.name.empty()) return {};
  q.to = Time{until.micros + 1};
  q.limit = 1;
  std::vector<FoundDecision> found = store_.search(q);
  return found.empty() ? std::string() : found.front().id;
}

LoadedDecision DecisionLoader::complete(std::int64_t seq, std::string hash, std::string json) {
  std::string error;
  std::optional<runtime::Decision> decision = decode_decision(json, error);
  if (!decision) throw std::runtime_error("a stored decision does not read back: " + error);
  LoadedDecision loaded{std::move(*decision), std::move(json), nullptr, {}};
  loaded.policy = policy(loaded.decision.policy_hash);
  loaded.context.seq = seq;
  loaded.context.hash = std::move(hash);
  loaded.context.started_by = timer_started_by(loaded.decision);
  loaded.context.decision_link = decision_link_;
  return loaded;
}

std::optional<LoadedDecision> DecisionLoader::load(const std::string& id) {
  std::optional<StoredDecision> stored = store_.decision(id);
  if (!stored) return std::nullopt;
  return complete(stored->seq, std::move(stored->hash), std::move(stored->json));
}

std::vector<LoadedDecision> DecisionLoader::history(const std::string& subject,
                                                    explain::Audience audience) {
  std::vector<LoadedDecision> out;
  for (auto& stored : store_.subject_decisions(subject)) {
    LoadedDecision loaded = complete(stored.seq, std::move(stored.hash), std::move(stored.json));
    if (audience == explain::Audience::subject && !explain::has_subject_view(loaded.decision)) {
      continue;
    }
    out.push_back(std::move(loaded));
  }
  return out;
}

std::string history_page(const std::string& subject, const std::vector<LoadedDecision>& decisions,
                         explain::Audience audience, const std::string& decision_link,
                         const std::vector<std::pair<std::string, std::string>>& nav) {
  std::vector<explain::HistoryEntry> entries;
  entries.reserve(decisions.size());
  for (const auto& d : decisions) entries.push_back({d.decision, d.source(), d.context});
  return explain::render_history_html(subject, entries, audience, decision_link, nav);
}

}  // namespace bylaw::io
