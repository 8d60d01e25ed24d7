// The audit store: every decision with its full trace and the event ids it cites, and every
// loaded policy text, in an embedded SQLite database.
//
// Append-only and tamper-evident: records form a chain, each carrying the SHA-256 of the record
// before it and its own (over that hash and its content). verify() walks the chain and names the
// first record that was changed, removed or reordered. Writing the same decision twice adds
// nothing (decision ids are deterministic), so replaying a stream into a store is idempotent.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/time.hpp"
#include "bylaw/runtime/decision.hpp"

struct sqlite3;

namespace bylaw::io {

struct VerifyReport {
  bool intact = false;
  std::uint64_t records = 0;
  std::string last_hash;  // keep it elsewhere to notice records cut off the end
  std::string problem;    // the first break in the chain, in words
};

// A search of the stored decisions; every field set narrows it. Newest first.
struct DecisionQuery {
  std::string subject;
  std::string rule;
  std::string kind;  // hold, release, alert, eligibility
  std::string name;
  std::string event;             // decisions that cite this event id
  std::optional<Time> from;      // decision time at or after
  std::optional<Time> to;        // decision time before
  std::size_t limit = 50;
  std::optional<std::int64_t> before;  // a page's cursor: records older than this one
};

struct FoundDecision {
  std::int64_t seq = 0;  // the record's place in the chain: the next page's cursor
  std::string json;      // the decision as `bylaw run` writes it
};

class AuditStore {
 public:
  // Opens (creating when asked) the store at `path`; nullptr with `error` set when it cannot.
  static std::unique_ptr<AuditStore> open(const std::string& path, bool create, std::string& error);
  ~AuditStore();  // rolls back what was not committed
  AuditStore(const AuditStore&) = delete;
  AuditStore& operator=(const AuditStore&) = delete;

  // Each returns false when the record was already there (nothing added).
  bool add_policy(const check::Policy& policy);
  bool add_decision(const runtime::Decision& decision, const std::string& json);
  // Ends the current transaction; records are also committed in batches of 1000 as they are
  // added, unless a CheckpointStore commits them with its checkpoints.
  void commit();

  std::optional<std::string> decision_json(const std::string& id) const;
  // The account's decisions in time order.
  std::vector<std::string> subject_decisions(const std::string& subject) const;
  std::vector<FoundDecision> search(const DecisionQuery& query) const;
  // {"name","version","hash","files":[{"path","text"}]} of the policy with this hash.
  std::optional<std::string> policy_json(const std::string& hash) const;
  VerifyReport verify() const;

  const std::string& path() const { return path_; }
  std::uint64_t added() const { return added_; }
  std::uint64_t already_there() const { return already_there_; }

 private:
  friend class CheckpointStore;  // shares the connection and the transaction
  AuditStore(sqlite3* db, std::string path);
  bool append(const std::string& kind, const std::string& key, const std::string& subject,
              const std::string& time, const std::string& name, const std::string& body);
  void begin_if_needed();

  struct Prepared;
  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Prepared> prepared_;
  std::string last_hash_;
  bool in_transaction_ = false;
  std::uint64_t pending_ = 0;
  std::uint64_t batch_ = 1000;
  std::uint64_t added_ = 0;
  std::uint64_t already_there_ = 0;
};

}  // namespace bylaw::io
