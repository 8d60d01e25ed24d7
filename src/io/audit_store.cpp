#include "bylaw/io/audit_store.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/core/sha256.hpp"

namespace bylaw::io {

namespace {

const std::string kGenesis(64, '0');

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
CREATE TABLE IF NOT EXISTS checkpoint (
  id              INTEGER PRIMARY KEY CHECK (id = 1),  -- one checkpoint: the latest
  policy_hash     TEXT NOT NULL,
  policy_name     TEXT NOT NULL,
  input_offset    INTEGER NOT NULL,
  last_line_start INTEGER NOT NULL,
  last_line_hash  TEXT NOT NULL,
  output_length   INTEGER NOT NULL,
  rejects_length  INTEGER NOT NULL,
  shadow_length   INTEGER NOT NULL,
  pending_output  BLOB NOT NULL,
  pending_rejects BLOB NOT NULL,
  pending_shadow  BLOB NOT NULL,
  delivered       INTEGER NOT NULL,
  finished        INTEGER NOT NULL,
  state           BLOB NOT NULL,
  state_hash      TEXT NOT NULL
);
)sql";

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(fmt::format("audit store: {}", sqlite3_errmsg(db)));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement& bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(fmt::format("audit store: {}", sqlite3_errmsg(db_)));
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  Statement& bind_blob(int index, const std::string& bytes) {
    sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
    return *this;
  }
  Statement& bind_integer(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string blob(int column) const {
    const void* p = sqlite3_column_blob(stmt_, column);
    return p ? std::string(static_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error(fmt::format("audit store: {}", text));
  }
}

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
    exec(db, kSchema);
    std::unique_ptr<AuditStore> store(new AuditStore(db));
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

AuditStore::AuditStore(sqlite3* db) : db_(db) {}

AuditStore::~AuditStore() {
  try {
    commit();
  } catch (...) {
    // Closing below rolls back what could not be committed; nothing else can be done here.
  }
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

void AuditStore::save_checkpoint(const Checkpoint& c) {
  begin_if_needed();
  Statement save(db_,
                 "INSERT OR REPLACE INTO checkpoint(id, policy_hash, policy_name, input_offset, "
                 "last_line_start, last_line_hash, output_length, rejects_length, "
                 "shadow_length, pending_output, pending_rejects, pending_shadow, delivered, "
                 "finished, state, state_hash) "
                 "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  auto integer = [](std::uint64_t n) { return static_cast<std::int64_t>(n); };
  save.bind(1, c.policy_hash).bind(2, c.policy_name);
  save.bind_integer(3, integer(c.input_offset)).bind_integer(4, integer(c.last_line_start));
  save.bind(5, c.last_line_hash);
  save.bind_integer(6, integer(c.decisions.length)).bind_integer(7, integer(c.rejects.length));
  save.bind_integer(8, integer(c.shadow.length));
  save.bind_blob(9, c.decisions.pending).bind_blob(10, c.rejects.pending);
  save.bind_blob(11, c.shadow.pending);
  save.bind_integer(12, c.delivered).bind_integer(13, c.finished);
  save.bind_blob(14, c.state).bind(15, c.state_hash);
  save.step();
  commit();
}

std::optional<Checkpoint> AuditStore::load_checkpoint() const {
  Statement load(db_,
                 "SELECT policy_hash, policy_name, input_offset, last_line_start, "
                 "last_line_hash, output_length, rejects_length, shadow_length, pending_output, "
                 "pending_rejects, pending_shadow, delivered, finished, state, state_hash "
                 "FROM checkpoint");
  if (!load.step()) return std::nullopt;
  Checkpoint c;
  auto count = [&](int column) { return static_cast<std::uint64_t>(load.integer(column)); };
  c.policy_hash = load.text(0);
  c.policy_name = load.text(1);
  c.input_offset = count(2);
  c.last_line_start = count(3);
  c.last_line_hash = load.text(4);
  c.decisions.length = count(5);
  c.rejects.length = count(6);
  c.shadow.length = count(7);
  c.decisions.pending = load.blob(8);
  c.rejects.pending = load.blob(9);
  c.shadow.pending = load.blob(10);
  c.delivered = load.integer(11) != 0;
  c.finished = load.integer(12) != 0;
  c.state = load.blob(13);
  c.state_hash = load.text(14);
  return c;
}

void AuditStore::mark_delivered() {
  begin_if_needed();
  exec(db_, "UPDATE checkpoint SET delivered = 1");
  commit();
}

void AuditStore::clear_checkpoint() {
  begin_if_needed();
  exec(db_, "DELETE FROM checkpoint");
  commit();
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
