// The audit store: every decision with its full trace and the event ids it cites, and every
// loaded policy text, in an embedded SQLite database.
//
// Append-only and tamper-evident: records form a chain, each carrying the SHA-256 of the record
// before it and its own, over every column a reader uses (seq, kind, key, subject, rule, name,
// time, body). verify() walks the chain, checks the columns and the evidence index against the
// bodies, and names the first record or index row that differs. Heads (a sequence number and its
// hash) can be kept elsewhere and checked later, and signed with an Ed25519 key at every commit.
// Writing the same decision twice adds nothing (decision ids are deterministic), so replaying a
// stream into a store is idempotent.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/time.hpp"
#include "bylaw/io/head_signature.hpp"
#include "bylaw/runtime/decision.hpp"

struct sqlite3;

namespace bylaw::io {

struct AuditRecord;  // one row of `records` (audit_record.hpp)

// A point of the chain: the record at `seq` and its hash. Written SEQ:HASH.
struct AuditHead {
  std::int64_t seq = 0;
  std::string hash;
  std::string text() const { return std::to_string(seq) + ":" + hash; }
  static std::optional<AuditHead> parse(const std::string& text);
};

struct VerifyOptions {
  std::optional<AuditHead> head;   // the chain must still hold it and extend it
  const PublicKey* key = nullptr;  // every signed head must carry a good signature by it
};

struct VerifyReport {
  bool intact = false;
  std::uint64_t records = 0;
  AuditHead head;                  // the newest record: keep it elsewhere, check it later
  std::uint64_t signed_heads = 0;  // heads with a signature in the store
  std::int64_t last_signed = 0;    // the newest signed head's sequence number (0: none)
  std::string problem;             // the first difference, in words
};

// A search of the stored decisions; every field set narrows it. Newest first, by decision time
// (an instant, not text), then by place in the chain.
struct DecisionQuery {
  std::string subject;
  std::string rule;
  std::string kind;  // hold, release, alert, eligibility
  std::string name;
  std::string event;          // decisions that cite this event id
  std::optional<Time> from;   // decision time at or after
  std::optional<Time> to;     // decision time before
  bool active_holds = false;  // holds not released since
  std::size_t limit = 50;
  std::string after;  // a page's cursor: the `next` of the page before
};

struct FoundDecision {
  std::string id;
  std::string cursor;  // where the next page starts when this is a page's last
  std::string json;    // the decision as `bylaw run` writes it
};

// A decision as the store holds it: where it sits in the chain, and the decision.
struct StoredDecision {
  std::int64_t seq = 0;
  std::string hash;
  std::string json;
};

class AuditStore {
 public:
  // Opens (creating when asked) the store at `path`; nullptr with `error` set when it cannot.
  static std::unique_ptr<AuditStore> open(const std::string& path, bool create, std::string& error);
  ~AuditStore();  // rolls back what was not committed
  AuditStore(const AuditStore&) = delete;
  AuditStore& operator=(const AuditStore&) = delete;

  // Each commit from now on signs the chain's head when it moved (a row of `heads`).
  void sign_heads_with(std::unique_ptr<SigningKey> key);

  // Each returns false when the record was already there (nothing added).
  bool add_policy(const check::Policy& policy);
  bool add_decision(const runtime::Decision& decision, const std::string& json);
  // Ends the current transaction; records are also committed in batches of 1000 as they are
  // added, unless a CheckpointStore commits them with its checkpoints.
  void commit();

  std::optional<StoredDecision> decision(const std::string& id) const;
  // The account's decisions, oldest first by decision time.
  std::vector<StoredDecision> subject_decisions(const std::string& subject) const;
  // Throws std::invalid_argument for a cursor this store did not hand out.
  std::vector<FoundDecision> search(const DecisionQuery& query) const;
  // {"name","version","hash","files":[{"path","text"}]} of the policy with this hash.
  std::optional<std::string> policy_json(const std::string& hash) const;
  // The newest record (seq 0 and 64 zeros when the store is empty).
  AuditHead head() const;
  VerifyReport verify(const VerifyOptions& options = {}) const;

  const std::string& path() const { return path_; }
  std::uint64_t added() const { return added_; }
  std::uint64_t already_there() const { return already_there_; }

 private:
  friend class CheckpointStore;  // shares the connection and the transaction
  AuditStore(sqlite3* db, std::string path);
  bool append(AuditRecord& row);
  void begin_if_needed();
  void sign_head();

  struct Prepared;
  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Prepared> prepared_;
  std::unique_ptr<SigningKey> signer_;
  AuditHead last_;
  std::int64_t last_signed_ = 0;
  bool in_transaction_ = false;
  std::uint64_t pending_ = 0;
  std::uint64_t batch_ = 1000;
  std::uint64_t added_ = 0;
  std::uint64_t already_there_ = 0;
};

}  // namespace bylaw::io
