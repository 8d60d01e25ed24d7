// Decisions read back from the audit store with what their pages show beside them: the rule's
// source from the stored policy text, the record's place in the chain, and for a timer's
// decision the hold that set the timer. Shared by `bylaw explain`, the HTTP API and the
// auditors' web pages.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bylaw/explain/explain.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/decision_decoder.hpp"

namespace bylaw::io {

struct LoadedDecision {
  runtime::Decision decision;
  std::string json;                            // as stored
  std::shared_ptr<const StoredPolicy> policy;  // null when the store lacks its text
  explain::PageContext context;
  const std::string* source() const {
    return policy ? policy->file(decision.explanation.file) : nullptr;
  }
};

// Reads decisions and their policies from one store, keeping each policy read once.
class DecisionLoader {
 public:
  // `decision_link` is how pages link to other decisions ("{}" for the id; PageContext).
  DecisionLoader(const AuditStore& store, std::string decision_link);

  // std::runtime_error when the stored decision does not read back.
  std::optional<LoadedDecision> load(const std::string& id);
  // The account's decisions, oldest first; alerts left out for the account's own view.
  std::vector<LoadedDecision> history(const std::string& subject, explain::Audience audience);

 private:
  LoadedDecision complete(std::int64_t seq, std::string hash, std::string json);
  std::shared_ptr<const StoredPolicy> policy(const std::string& hash);
  std::string timer_started_by(const runtime::Decision& decision) const;

  const AuditStore& store_;
  std::string decision_link_;
  std::map<std::string, std::shared_ptr<const StoredPolicy>> policies_;
};

// The history page of an account from loaded decisions.
std::string history_page(const std::string& subject, const std::vector<LoadedDecision>& decisions,
                         explain::Audience audience, const std::string& decision_link,
                         const std::vector<std::pair<std::string, std::string>>& nav = {});

}  // namespace bylaw::io
