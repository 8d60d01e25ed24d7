// An account's history as a document: the holds in force, then every decision, newest first,
// each linked to its own page.
#include <map>

#include <fmt/format.h>

#include "document.hpp"

namespace bylaw::explain {

namespace {

// The holds no later release of the same name lifted (entries are oldest first).
std::vector<const HistoryEntry*> active_holds(const std::vector<HistoryEntry>& entries) {
  std::map<std::string, const HistoryEntry*> held;
  for (const auto& e : entries) {
    if (e.decision.kind == check::DecisionKind::hold) held[e.decision.name] = &e;
    if (e.decision.kind == check::DecisionKind::release) held.erase(e.decision.name);
  }
  std::vector<const HistoryEntry*> out;
  for (const auto& [name, entry] : held) out.push_back(entry);
  return out;
}

}  // namespace

Document history_document(const std::string& subject, const std::vector<HistoryEntry>& entries,
                          Audience audience, const std::string& decision_link) {
  bool auditor = audience == Audience::auditor;
  Document doc;
  doc.title = auditor ? fmt::format("bylaw: the decisions on {}", subject)
                      : fmt::format("Your account ({}): restrictions and decisions", subject);
  Table holds{{"hold", "since", "appeal from", "decision"}, {}};
  for (const HistoryEntry* e : active_holds(entries)) {
    const runtime::Decision& d = e->decision;
    holds.rows.push_back(
        {auditor ? d.name : subject_view(d).title, format_time_words(d.time),
         d.appeal_eligible_at ? format_time_words(*d.appeal_eligible_at) : "not appealable", d.id});
  }
  if (holds.rows.empty()) {
    doc.sections.emplace_back("Active holds", std::vector<Block>{std::string("None.")},
                              "active-holds");
  } else {
    doc.sections.emplace_back("Active holds", std::vector<Block>{holds}, "active-holds");
  }
  Table history{auditor ? std::vector<std::string>{"time", "decision", "outcome", "rule", "id"}
                        : std::vector<std::string>{"time", "what happened", "id"},
                {}};
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const runtime::Decision& d = it->decision;
    std::string what = fmt::format("{} {}", check::decision_kind_name(d.kind), d.name);
    if (auditor) {
      history.rows.push_back({format_rfc3339(d.time), what, outcome_text(d), d.rule, d.id});
    } else {
      history.rows.push_back({format_time_words(d.time), subject_view(d).what, d.id});
    }
    doc.links[d.id] = fmt::format(fmt::runtime(decision_link), d.id);
  }
  doc.sections.emplace_back(
      fmt::format("History: {} decision{}", entries.size(), entries.size() == 1 ? "" : "s"),
      std::vector<Block>{history}, "history");
  return doc;
}

}  // namespace bylaw::explain
