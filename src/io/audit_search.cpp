// Reading the audit store: one decision, an account's history, searches, the chain's head.
#include <sqlite3.h>

#include <stdexcept>

#include <fmt/format.h>

#include "audit_record.hpp"
#include "bylaw/io/audit_store.hpp"
#include "sqlite.hpp"

namespace bylaw::io {

namespace {

// A page's cursor is the last row's (time_us, seq): the next page starts strictly after it in
// the order newest first. Written "T.S".
struct Cursor {
  std::int64_t time_us = 0;
  std::int64_t seq = 0;
};

Cursor parse_cursor(const std::string& text) {
  std::size_t dot = text.find('.');
  Cursor c;
  std::size_t used_time = 0, used_seq = 0;
  try {
    if (dot == std::string::npos) throw std::invalid_argument("no dot");
    c.time_us = std::stoll(text.substr(0, dot), &used_time);
    c.seq = std::stoll(text.substr(dot + 1), &used_seq);
  } catch (const std::exception&) {
    used_time = 0;
  }
  if (used_time != dot || used_seq != text.size() - dot - 1 || c.seq <= 0) {
    throw std::invalid_argument(fmt::format("'{}' is not the `next` of an earlier page", text));
  }
  return c;
}

// Holds of the account (or every account) that no later release of the same name lifted.
constexpr const char* kActiveHold =
    " AND kind = 'hold' AND NOT EXISTS (SELECT 1 FROM records AS r WHERE r.kind = 'release'"
    " AND r.subject = records.subject AND r.name = records.name"
    " AND (r.time_us > records.time_us OR (r.time_us = records.time_us AND r.seq > records.seq)))";

}  // namespace

std::optional<StoredDecision> AuditStore::decision(const std::string& id) const {
  Statement query(db_, "SELECT seq, hash, body FROM records WHERE kind != 'policy' AND key = ?");
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return StoredDecision{query.integer(0), query.text(1), query.text(2)};
}

std::vector<StoredDecision> AuditStore::subject_decisions(const std::string& subject) const {
  Statement query(db_,
                  "SELECT seq, hash, body FROM records WHERE kind != 'policy' AND subject = ? "
                  "ORDER BY time_us, seq");
  query.bind(1, subject);
  std::vector<StoredDecision> out;
  while (query.step()) out.push_back({query.integer(0), query.text(1), query.text(2)});
  return out;
}

std::vector<FoundDecision> AuditStore::search(const DecisionQuery& q) const {
  std::string sql = "SELECT time_us, seq, key, body FROM records WHERE kind != 'policy'";
  std::vector<std::string> texts;
  std::vector<std::int64_t> numbers;
  auto where = [&](const char* clause, const std::string& value) {
    if (value.empty()) return;
    sql += clause;
    texts.push_back(value);
  };
  where(" AND subject = ?", q.subject);
  where(" AND rule = ?", q.rule);
  where(" AND kind = ?", q.kind);
  where(" AND name = ?", q.name);
  where(" AND key IN (SELECT decision_id FROM evidence WHERE event_id = ?)", q.event);
  if (q.active_holds) sql += kActiveHold;
  // Numbers are bound after the texts, in the order their clauses are added.
  if (q.from) {
    sql += " AND time_us >= ?";
    numbers.push_back(q.from->micros);
  }
  if (q.to) {
    sql += " AND time_us < ?";
    numbers.push_back(q.to->micros);
  }
  if (!q.after.empty()) {
    Cursor c = parse_cursor(q.after);
    sql += " AND (time_us < ? OR (time_us = ? AND seq < ?))";
    for (std::int64_t n : {c.time_us, c.time_us, c.seq}) numbers.push_back(n);
  }
  sql += fmt::format(" ORDER BY time_us DESC, seq DESC LIMIT {}", q.limit);
  Statement query(db_, sql.c_str());
  int index = 1;
  for (const auto& text : texts) query.bind(index++, text);
  for (std::int64_t n : numbers) query.bind_integer(index++, n);
  std::vector<FoundDecision> out;
  while (query.step()) {
    out.push_back(
        {query.text(2), fmt::format("{}.{}", query.integer(0), query.integer(1)), query.text(3)});
  }
  return out;
}

std::optional<std::string> AuditStore::policy_json(const std::string& hash) const {
  Statement query(db_, "SELECT body FROM records WHERE kind = 'policy' AND key = ?");
  query.bind(1, hash);
  if (!query.step()) return std::nullopt;
  return query.text(0);
}

AuditHead AuditStore::head() const {
  Statement last(db_, "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1");
  if (!last.step()) return {0, kGenesisHash};
  return {last.integer(0), last.text(1)};
}

}  // namespace bylaw::io
