#include "bylaw/io/audit_store.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/core/sha256.hpp"
#include "sqlite.hpp"

namespace bylaw::io {

namespace {

const std::string kGenesis(64, '0');

// The hash a record must carry: SHA-256 over the previous record's hash and its content.
std::string record_hash(const std::string& previous, const std::string& kind,
                        const std::string& key, const std::string& body) {
  Sha256 sha;
  sha.update(previous);
  sha.update("\n");
  sha.update(kind);
  sha.update("\n");
  sha.update(key);
  sha.update("\n");
  sha.update(body);
  return to_hex(sha.finish());
}

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS records (
  seq       INTEGER PRIMARY KEY,   -- position in the chain
  kind      TEXT NOT NULL,         -- 'policy' or 'decision'
  key       TEXT NOT NULL UNIQUE,  -- the policy hash or the decision id
  subject   TEXT,
  time      TEXT,
  name      TEXT,
  body      TEXT NOT NULL,         -- JSON: the decision with its trace, or the policy's texts
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_subject_time ON records(subject, time);
CREATE INDEX IF NOT EXISTS records_time ON records(time);
CREATE TABLE IF NOT EXISTS evidence (
  decision_id TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  PRIMARY KEY (decision_id, event_id)
);
CREATE INDEX IF NOT EXISTS evidence_event ON evidence(event_id);
)sql";

}  // namespace

// The statements every append runs, prepared once.
struct AuditStore::Prepared {
  Statement insert_record;
  Statement insert_evidence;
  explicit Prepared(sqlite3* db)
      : insert_record(db,
                      "INSERT OR IGNORE INTO records(kind, key, subject, time, name, body, "
                      "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        insert_evidence(db, "INSERT OR IGNORE INTO evidence(decision_id, event_id) VALUES (?, ?)") {
  }
};

std::unique_ptr<AuditStore> AuditStore::open(const std::string& path, bool create,
                                             std::string& error) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    error = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    return nullptr;
  }
  // Others may read the store while a run writes it (an auditor's `bylaw explain`, a monitor):
  // wait for their locks rather than failing the run.
  sqlite3_busy_timeout(db, 10000);
  try {
    // Readers (explain, the HTTP API) read while a run writes, and a commit does not wait for
    // them: write-ahead logging.
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, kSchema);
    std::unique_ptr<AuditStore> store(new AuditStore(db, path));
    store->prepared_ = std::make_unique<Prepared>(db);
    Statement last(db, "SELECT hash FROM records ORDER BY seq DESC LIMIT 1");
    store->last_hash_ = last.step() ? last.text(0) : kGenesis;
    return store;
  } catch (const std::exception& e) {
    error = e.what();
    sqlite3_close(db);
    return nullptr;
  }
}

AuditStore::AuditStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

AuditStore::~AuditStore() {
  // What was not committed is rolled back: a store destroyed while an exception unwinds must not
  // commit half of what the failed operation meant to write. Callers commit() what they keep.
  if (in_transaction_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  prepared_.reset();  // statements before the connection
  sqlite3_close(db_);
}

void AuditStore::begin_if_needed() {
  if (in_transaction_) return;
  exec(db_, "BEGIN IMMEDIATE");
  in_transaction_ = true;
}

void AuditStore::commit() {
  if (!in_transaction_) return;
  exec(db_, "COMMIT");
  in_transaction_ = false;
  pending_ = 0;
}

bool AuditStore::append(const std::string& kind, const std::string& key, const std::string& subject,
                        const std::string& time, const std::string& name, const std::string& body) {
  begin_if_needed();
  std::string hash = record_hash(last_hash_, kind, key, body);
  Statement& insert = prepared_->insert_record;
  insert.reset();
  insert.bind(1, kind).bind(2, key).bind(3, subject).bind(4, time).bind(5, name).bind(6, body);
  insert.bind(7, last_hash_).bind(8, hash);
  insert.step();
  if (sqlite3_changes(db_) == 0) {
    ++already_there_;
    return false;
  }
  last_hash_ = hash;
  ++added_;
  if (++pending_ >= batch_) commit();
  return true;
}

bool AuditStore::add_policy(const check::Policy& policy) {
  nlohmann::ordered_json body;
  body["name"] = policy.name;
  body["version"] = policy.version;
  body["hash"] = policy.hash;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < policy.sources->size(); ++i) {
    const SourceFile& file = policy.sources->file(static_cast<FileId>(i));
    files.push_back({{"path", file.path()}, {"text", file.text()}});
  }
  body["files"] = std::move(files);
  return append("policy", policy.hash, "", "", policy.versioned_name(),
                body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

bool AuditStore::add_decision(const runtime::Decision& decision, const std::string& json) {
  if (!append("decision", decision.id, decision.subject, format_rfc3339(decision.time),
              decision.name, json)) {
    return false;
  }
  Statement& cite = prepared_->insert_evidence;
  for (const auto& event : decision.evidence) {
    cite.reset();
    cite.bind(1, decision.id).bind(2, event);
    cite.step();
  }
  return true;
}

std::optional<std::string> AuditStore::decision_json(const std::string& id) const {
  Statement query(db_, "SELECT body FROM records WHERE kind = 'decision' AND key = ?");
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return query.text(0);
}

std::vector<std::string> AuditStore::subject_decisions(const std::string& subject) const {
  Statement query(db_,
                  "SELECT body FROM records WHERE kind = 'decision' AND subject = ? "
                  "ORDER BY time, seq");
  query.bind(1, subject);
  std::vector<std::string> out;
  while (query.step()) out.push_back(query.text(0));
  return out;
}

std::vector<FoundDecision> AuditStore::search(const DecisionQuery& q) const {
  std::string sql = "SELECT seq, body FROM records WHERE kind = 'decision'";
  std::vector<std::string> texts;
  auto where = [&](const char* clause, const std::string& value) {
    if (value.empty()) return;
    sql += clause;
    texts.push_back(value);
  };
  where(" AND subject = ?", q.subject);
  where(" AND json_extract(body, '$.rule') = ?", q.rule);
  where(" AND json_extract(body, '$.kind') = ?", q.kind);
  where(" AND name = ?", q.name);
  where(" AND key IN (SELECT decision_id FROM evidence WHERE event_id = ?)", q.event);
  // Times compare as instants, not as text ("08:00:00.5Z" is after "08:00:00Z").
  where(" AND julianday(time) >= julianday(?)", q.from ? format_rfc3339(*q.from) : "");
  where(" AND julianday(time) < julianday(?)", q.to ? format_rfc3339(*q.to) : "");
  if (q.before) where(" AND seq < CAST(? AS INTEGER)", std::to_string(*q.before));
  sql += " ORDER BY seq DESC LIMIT " + std::to_string(q.limit);
  Statement query(db_, sql.c_str());
  for (std::size_t i = 0; i < texts.size(); ++i) query.bind(static_cast<int>(i + 1), texts[i]);
  std::vector<FoundDecision> out;
  while (query.step()) out.push_back({query.integer(0), query.text(1)});
  return out;
}

std::optional<std::string> AuditStore::policy_json(const std::string& hash) const {
  Statement query(db_, "SELECT body FROM records WHERE kind = 'policy' AND key = ?");
  query.bind(1, hash);
  if (!query.step()) return std::nullopt;
  return query.text(0);
}

VerifyReport AuditStore::verify() const {
  struct Row {
    std::int64_t seq;
    std::string kind, key, body, prev_hash, hash;
  };
  std::vector<Row> rows;
  Statement query(db_, "SELECT seq, kind, key, body, prev_hash, hash FROM records ORDER BY seq");
  while (query.step()) {
    rows.push_back({query.integer(0), query.text(1), query.text(2), query.text(3), query.text(4),
                    query.text(5)});
  }
  VerifyReport report;
  report.records = rows.size();
  auto describe = [](const Row& r) {
    return fmt::format("record {} ({} {})", r.seq, r.kind, r.key);
  };
  std::string expected_prev = kGenesis;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (record_hash(row.prev_hash, row.kind, row.key, row.body) != row.hash) {
      report.problem = describe(row) + " was changed: its content does not match its hash";
      return report;
    }
    if (row.prev_hash != expected_prev) {
      std::int64_t previous_seq = i == 0 ? 0 : rows[i - 1].seq;
      if (row.seq != previous_seq + 1) {
        report.problem = fmt::format("records {} to {} before {} were removed", previous_seq + 1,
                                     row.seq - 1, describe(row));
        return report;
      }
      for (const auto& other : rows) {
        if (other.hash == row.prev_hash) {
          report.problem =
              fmt::format("{} was reordered: it follows {} in the chain, not {}", describe(row),
                          describe(other), i == 0 ? "the start" : describe(rows[i - 1]));
          return report;
        }
      }
      report.problem = fmt::format(
          "{} does not follow {}: a record before it was changed or removed", describe(row),
          i == 0 ? std::string("the start of the chain") : describe(rows[i - 1]));
      return report;
    }
    expected_prev = row.hash;
  }
  report.intact = true;
  report.last_hash = expected_prev;
  return report;
}

}  // namespace bylaw::io
