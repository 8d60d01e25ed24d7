#include "bylaw/io/audit_store.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit_record.hpp"
#include "bylaw/core/sha256.hpp"
#include "sqlite.hpp"

namespace bylaw::io {

namespace {

// Stores written before every column was hashed (chain format 1) are not read: their chain
// cannot prove what the readers now rely on.
constexpr const char* kChainFormat = "2";

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  seq       INTEGER PRIMARY KEY,   -- position in the chain
  kind      TEXT NOT NULL,         -- 'policy', or the decision's kind (hold, release, ...)
  key       TEXT NOT NULL UNIQUE,  -- the policy hash or the decision id
  subject   TEXT NOT NULL,
  rule      TEXT NOT NULL,
  name      TEXT NOT NULL,
  time      TEXT NOT NULL,         -- as the decision writes it
  time_us   INTEGER NOT NULL,      -- the same instant in microseconds: order and ranges
  body      TEXT NOT NULL,         -- JSON: the decision with its trace, or the policy's texts
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL          -- over every column above (audit_record.hpp)
);
CREATE INDEX IF NOT EXISTS records_time ON records(time_us);
CREATE INDEX IF NOT EXISTS records_subject_time ON records(subject, time_us);
CREATE INDEX IF NOT EXISTS records_rule_time ON records(rule, time_us);
CREATE INDEX IF NOT EXISTS records_kind_time ON records(kind, time_us);
CREATE INDEX IF NOT EXISTS records_name_time ON records(name, time_us);
CREATE INDEX IF NOT EXISTS records_holds ON records(subject, name, time_us)
  WHERE kind IN ('hold', 'release');
CREATE TABLE IF NOT EXISTS evidence (
  decision_id TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  PRIMARY KEY (decision_id, event_id)
);
CREATE INDEX IF NOT EXISTS evidence_event ON evidence(event_id);
CREATE TABLE IF NOT EXISTS heads (   -- signed chain heads, one per commit that moved the head
  seq        INTEGER PRIMARY KEY,
  hash       TEXT NOT NULL,
  public_key TEXT NOT NULL,          -- hex of the Ed25519 key that signed
  signature  TEXT NOT NULL           -- hex, over head_statement(seq, hash)
);
)sql";

// A store from before chain format 2 has `records` without `rule`.
void refuse_old_format(sqlite3* db) {
  Statement columns(db, "SELECT count(*) FROM pragma_table_info('records') WHERE name = 'rule'");
  Statement any(db, "SELECT count(*) FROM sqlite_master WHERE name = 'records'");
  any.step();
  columns.step();
  if (any.integer(0) == 1 && columns.integer(0) == 0) {
    throw std::runtime_error(
        "this store was written by an older bylaw (audit chain format 1, which did not hash "
        "subject, time or name); keep it for reading with that version and start a new store");
  }
}

}  // namespace

std::optional<AuditHead> AuditHead::parse(const std::string& text) {
  std::size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  AuditHead head;
  std::size_t used = 0;
  try {
    head.seq = std::stoll(text.substr(0, colon), &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  head.hash = text.substr(colon + 1);
  bool hex = head.hash.size() == 64 &&
             head.hash.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (used != colon || head.seq < 0 || !hex) return std::nullopt;
  return head;
}

std::string record_hash(const AuditRecord& r) {
  Sha256 sha;
  auto put = [&sha](std::string_view field) {
    sha.update(fmt::format("{}:", field.size()));
    sha.update(field);
  };
  put(r.prev_hash);
  put(std::to_string(r.seq));
  put(r.kind);
  put(r.key);
  put(r.subject);
  put(r.rule);
  put(r.name);
  put(r.time);
  put(std::to_string(r.time_us));
  put(r.body);
  return to_hex(sha.finish());
}

// The statements every append runs, prepared once.
struct AuditStore::Prepared {
  Statement insert_record;
  Statement insert_evidence;
  Statement insert_head;
  explicit Prepared(sqlite3* db)
      : insert_record(db,
                      "INSERT OR IGNORE INTO records(seq, kind, key, subject, rule, name, time, "
                      "time_us, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        insert_evidence(db, "INSERT OR IGNORE INTO evidence(decision_id, event_id) VALUES (?, ?)"),
        insert_head(db,
                    "INSERT OR REPLACE INTO heads(seq, hash, public_key, signature) "
                    "VALUES (?, ?, ?, ?)") {}
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
    refuse_old_format(db);
    exec(db, kSchema);
    Statement format(db, "SELECT value FROM meta WHERE key = 'chain_format'");
    if (!format.step()) {  // a new store (a reader must not wait for a writer's lock here)
      exec(db,
           fmt::format("INSERT INTO meta(key, value) VALUES ('chain_format', '{}')", kChainFormat)
               .c_str());
    }
    std::unique_ptr<AuditStore> store(new AuditStore(db, path));
    store->prepared_ = std::make_unique<Prepared>(db);
    store->last_ = store->head();
    Statement signed_head(db, "SELECT coalesce(max(seq), 0) FROM heads");
    signed_head.step();
    store->last_signed_ = signed_head.integer(0);
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

void AuditStore::sign_heads_with(std::unique_ptr<SigningKey> key) {
  signer_ = std::move(key);
}

void AuditStore::begin_if_needed() {
  if (in_transaction_) return;
  exec(db_, "BEGIN IMMEDIATE");
  in_transaction_ = true;
}

void AuditStore::sign_head() {
  if (!signer_ || last_.seq <= last_signed_) return;
  Statement& insert = prepared_->insert_head;
  insert.reset();
  insert.bind_integer(1, last_.seq).bind(2, last_.hash).bind(3, signer_->public_key_hex());
  insert.bind(4, signer_->sign(head_statement(last_.seq, last_.hash)));
  insert.step();
  last_signed_ = last_.seq;
}

void AuditStore::commit() {
  if (!in_transaction_) return;
  sign_head();
  exec(db_, "COMMIT");
  in_transaction_ = false;
  pending_ = 0;
}

bool AuditStore::append(AuditRecord& row) {
  begin_if_needed();
  row.seq = last_.seq + 1;
  row.prev_hash = last_.hash;
  row.hash = record_hash(row);
  Statement& insert = prepared_->insert_record;
  insert.reset();
  insert.bind_integer(1, row.seq).bind(2, row.kind).bind(3, row.key).bind(4, row.subject);
  insert.bind(5, row.rule).bind(6, row.name).bind(7, row.time).bind_integer(8, row.time_us);
  insert.bind(9, row.body).bind(10, row.prev_hash).bind(11, row.hash);
  insert.step();
  if (sqlite3_changes(db_) == 0) {
    ++already_there_;
    return false;
  }
  last_ = {row.seq, row.hash};
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
  AuditRecord row;
  row.kind = "policy";
  row.key = policy.hash;
  row.name = policy.versioned_name();
  row.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return append(row);
}

bool AuditStore::add_decision(const runtime::Decision& decision, const std::string& json) {
  AuditRecord row;
  row.kind = check::decision_kind_name(decision.kind);
  row.key = decision.id;
  row.subject = decision.subject;
  row.rule = decision.rule;
  row.name = decision.name;
  row.time = format_rfc3339(decision.time);
  row.time_us = decision.time.micros;
  row.body = json;
  if (!append(row)) return false;
  Statement& cite = prepared_->insert_evidence;
  for (const auto& event : decision.evidence) {
    cite.reset();
    cite.bind(1, decision.id).bind(2, event);
    cite.step();
  }
  return true;
}

}  // namespace bylaw::io
