// Checking the audit store: the chain, every column against the record's body, the evidence
// index against the bodies, an anchored head, and the signed heads.
#include <sqlite3.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "audit_record.hpp"
#include "bylaw/io/audit_store.hpp"
#include "sqlite.hpp"

namespace bylaw::io {

namespace {

std::string describe(const AuditRecord& r) {
  return fmt::format("record {} ({} {})", r.seq, r.kind, r.key);
}

// What a decision's body says about the columns beside it.
struct BodyFacts {
  std::string id, kind, name, subject, time, rule;
  std::vector<std::string> evidence;
};

std::optional<BodyFacts> read_body(simdjson::ondemand::parser& parser, const std::string& body) {
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return std::nullopt;
  BodyFacts facts;
  auto text = [&doc](const char* key, std::string& into) {
    std::string_view view;
    if (doc[key].get_string().get(view)) return false;
    into.assign(view);
    return true;
  };
  if (!text("id", facts.id) || !text("kind", facts.kind) || !text("name", facts.name) ||
      !text("subject", facts.subject) || !text("time", facts.time) || !text("rule", facts.rule)) {
    return std::nullopt;
  }
  simdjson::ondemand::array evidence;
  if (doc["evidence"].get_array().get(evidence)) return std::nullopt;
  for (auto item : evidence) {
    std::string_view id;
    if (item.get_string().get(id)) return std::nullopt;
    facts.evidence.emplace_back(id);
  }
  return facts;
}

// The first column of a decision record that its body contradicts, or empty.
std::string column_differing(const AuditRecord& r, const BodyFacts& body) {
  std::pair<const char*, std::pair<const std::string*, const std::string*>> columns[] = {
      {"key", {&r.key, &body.id}},     {"kind", {&r.kind, &body.kind}},
      {"name", {&r.name, &body.name}}, {"subject", {&r.subject, &body.subject}},
      {"time", {&r.time, &body.time}}, {"rule", {&r.rule, &body.rule}}};
  for (const auto& [column, values] : columns) {
    if (*values.first != *values.second) {
      return fmt::format("its {} column says '{}' but its decision says '{}'", column,
                         *values.first, *values.second);
    }
  }
  std::optional<Time> parsed = parse_rfc3339(r.time);
  if (!parsed || parsed->micros != r.time_us) {
    return fmt::format("its time_us column ({}) is not its time '{}'", r.time_us, r.time);
  }
  return {};
}

class Verifier {
 public:
  Verifier(sqlite3* db, const VerifyOptions& options, VerifyReport& report)
      : db_(db),
        options_(options),
        report_(report),
        evidence_(db, "SELECT event_id FROM evidence WHERE decision_id = ? ORDER BY event_id") {}

  bool run() { return chain() && orphan_evidence() && anchored_head() && signed_heads(); }

 private:
  bool fail(std::string problem) {
    report_.problem = std::move(problem);
    return false;
  }

  bool chain() {
    Statement rows(db_,
                   "SELECT seq, kind, key, subject, rule, name, time, time_us, body, prev_hash, "
                   "hash FROM records ORDER BY seq");
    AuditRecord previous;
    previous.hash = kGenesisHash;
    while (rows.step()) {
      AuditRecord r{rows.integer(0), rows.text(1), rows.text(2), rows.text(3),
                    rows.text(4),    rows.text(5), rows.text(6), rows.integer(7),
                    rows.text(8),    rows.text(9), rows.text(10)};
      if (!link(previous, r) || !record(r)) return false;
      ++report_.records;
      previous = std::move(r);
    }
    report_.head = {previous.seq, previous.hash};
    return true;
  }

  // `r` follows `previous` in the chain.
  bool link(const AuditRecord& previous, const AuditRecord& r) {
    if (r.seq != previous.seq + 1) {
      return fail(fmt::format("records {} to {} before {} were removed", previous.seq + 1,
                              r.seq - 1, describe(r)));
    }
    if (r.prev_hash == previous.hash) {
      if (record_hash(r) == r.hash) return true;
      return fail(describe(r) + " was changed: its columns do not match its hash");
    }
    Statement other(db_, "SELECT seq, kind, key FROM records WHERE hash = ? AND seq != ?");
    other.bind(1, r.prev_hash).bind_integer(2, r.seq);
    std::string before = previous.seq == 0 ? "the start" : describe(previous);
    if (other.step()) {
      return fail(fmt::format(
          "record {} ({} {}) was reordered: it follows record {} ({} {}) in "
          "the chain, not {}",
          r.seq, r.kind, r.key, other.integer(0), other.text(1), other.text(2), before));
    }
    return fail(fmt::format("{} does not follow {}: a record before it was changed or removed",
                            describe(r), before));
  }

  // The record's columns and evidence rows agree with its body.
  bool record(const AuditRecord& r) {
    if (r.kind == "policy") {
      bool plain = r.subject.empty() && r.rule.empty() && r.time.empty() && r.time_us == 0;
      if (!plain || r.body.find(fmt::format("\"hash\":\"{}\"", r.key)) == std::string::npos) {
        return fail(describe(r) + " has columns its policy text does not explain");
      }
      return true;
    }
    std::optional<BodyFacts> body = read_body(parser_, r.body);
    if (!body) return fail(describe(r) + " does not hold a decision bylaw can read");
    std::string differing = column_differing(r, *body);
    if (!differing.empty()) return fail(fmt::format("{}: {}", describe(r), differing));
    std::set<std::string> cited(body->evidence.begin(), body->evidence.end());
    evidence_.reset();
    evidence_.bind(1, r.key);
    std::set<std::string> indexed;
    while (evidence_.step()) indexed.insert(evidence_.text(0));
    evidence_rows_ += indexed.size();
    if (indexed != cited) return fail(evidence_difference(r, cited, indexed));
    return true;
  }

  static std::string evidence_difference(const AuditRecord& r, const std::set<std::string>& cited,
                                         const std::set<std::string>& indexed) {
    for (const auto& id : cited) {
      if (!indexed.count(id)) {
        return fmt::format("the evidence index lost row ({}, {}): {} cites {}", r.key, id,
                           describe(r), id);
      }
    }
    for (const auto& id : indexed) {
      if (!cited.count(id)) {
        return fmt::format("the evidence index has row ({}, {}) but {} does not cite {}", r.key, id,
                           describe(r), id);
      }
    }
    return {};
  }

  // Rows of the index that belong to no decision at all.
  bool orphan_evidence() {
    Statement count(db_, "SELECT count(*) FROM evidence");
    count.step();
    if (static_cast<std::uint64_t>(count.integer(0)) == evidence_rows_) return true;
    Statement orphan(db_,
                     "SELECT decision_id, event_id FROM evidence WHERE decision_id NOT IN "
                     "(SELECT key FROM records WHERE kind != 'policy') LIMIT 1");
    if (orphan.step()) {
      return fail(fmt::format("the evidence index has row ({}, {}) but no decision {} exists",
                              orphan.text(0), orphan.text(1), orphan.text(0)));
    }
    return fail("the evidence index does not match the decisions");
  }

  bool anchored_head() {
    if (!options_.head) return true;
    const AuditHead& head = *options_.head;
    if (head.seq > report_.head.seq) {
      return fail(
          fmt::format("the chain ends at record {}, before the anchored head {}: records "
                      "{} to {} at least were removed",
                      report_.head.seq, head.text(), report_.head.seq + 1, head.seq));
    }
    Statement at(db_, "SELECT hash FROM records WHERE seq = ?");
    at.bind_integer(1, head.seq);
    if (head.seq == 0 ? head.hash != kGenesisHash : (!at.step() || at.text(0) != head.hash)) {
      return fail(
          fmt::format("the chain no longer holds the anchored head {}: it was rewritten "
                      "at or before record {}",
                      head.text(), head.seq));
    }
    return true;
  }

  bool signed_heads() {
    Statement heads(db_,
                    "SELECT heads.seq, heads.hash, public_key, signature, records.hash FROM heads "
                    "LEFT JOIN records ON records.seq = heads.seq ORDER BY heads.seq");
    while (heads.step()) {
      AuditHead head{heads.integer(0), heads.text(1)};
      if (heads.text(4) != head.hash) {
        return fail(
            fmt::format("signed head {} is not in the chain: the chain was rewritten at "
                        "or before record {}",
                        head.text(), head.seq));
      }
      if (options_.key) {
        if (heads.text(2) != options_.key->hex()) {
          return fail(fmt::format("signed head {} was signed by another key ({})", head.text(),
                                  heads.text(2)));
        }
        if (!options_.key->verify(head_statement(head.seq, head.hash), heads.text(3))) {
          return fail(fmt::format("signed head {} has a bad signature", head.text()));
        }
      }
      ++report_.signed_heads;
      report_.last_signed = head.seq;
    }
    if (options_.key && report_.last_signed < report_.head.seq) {
      return fail(fmt::format("records {} to {} are not covered by a head signed with the key",
                              report_.last_signed + 1, report_.head.seq));
    }
    return true;
  }

  sqlite3* db_;
  const VerifyOptions& options_;
  VerifyReport& report_;
  Statement evidence_;
  simdjson::ondemand::parser parser_;
  std::uint64_t evidence_rows_ = 0;
};

}  // namespace

VerifyReport AuditStore::verify(const VerifyOptions& options) const {
  VerifyReport report;
  report.head = {0, kGenesisHash};
  report.intact = Verifier(db_, options, report).run();
  return report;
}

}  // namespace bylaw::io
