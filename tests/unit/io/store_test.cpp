// The audit store: what it keeps, idempotence, and tamper evidence.
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "bylaw/check/checker.hpp"
#include "bylaw/core/sha256.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/checkpoint_store.hpp"
#include "bylaw/io/decision_decoder.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/stream_runner.hpp"

using namespace bylaw;
namespace fs = std::filesystem;

namespace {

const check::Policy& marketplace() {
  static const check::LoadResult result =
      io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/marketplace.policy");
  REQUIRE(result.policy.has_value());
  return *result.policy;
}

// Runs the sample stream into `store`; returns the decision lines.
std::string feed(io::AuditStore& store) {
  store.add_policy(marketplace());
  std::ifstream input(std::string(BYLAW_SOURCE_DIR) + "/examples/marketplace.jsonl");
  std::ostringstream output;
  io::RunOptions options;
  options.store = &store;
  io::run_stream(
      marketplace(), input, output, [](auto, auto, auto, auto) {}, options);
  return output.str();  // run_stream commits what it stored
}

// Runs the sample stream into a fresh store at `path`; returns the decision lines.
std::string run_into(const std::string& path) {
  std::string error;
  auto store = io::AuditStore::open(path, true, error);
  REQUIRE(store);
  return feed(*store);
}

struct TempStore {
  std::string path;
  TempStore() {
    static int n = 0;
    path = (fs::temp_directory_path() /
            ("bylaw-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".db"))
               .string();
    fs::remove(path);
  }
  ~TempStore() { fs::remove(path); }
};

void sql(const std::string& path, const std::string& statement) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  INFO(message);
  REQUIRE(rc == SQLITE_OK);
}

io::VerifyReport verify(const std::string& path) {
  std::string error;
  auto store = io::AuditStore::open(path, false, error);
  REQUIRE(store);
  return store->verify();
}

}  // namespace

TEST_CASE("the store keeps every decision with its trace and the policy texts", "[io][store]") {
  TempStore temp;
  std::string lines = run_into(temp.path);
  std::string error;
  auto store = io::AuditStore::open(temp.path, false, error);
  REQUIRE(store);
  std::istringstream in(lines);
  std::string line;
  int decisions = 0;
  while (std::getline(in, line)) {
    auto decision = io::decode_decision(line, error);
    REQUIRE(decision);
    auto stored = store->decision(decision->id);
    REQUIRE(stored);
    CHECK(stored->json == line);
    ++decisions;
  }
  CHECK(decisions == 15);
  auto policy = store->policy_json(marketplace().hash);
  REQUIRE(policy);
  auto texts = io::decode_policy(*policy, error);
  REQUIRE(texts);
  CHECK(texts->files.size() == marketplace().sources->size());
  CHECK(store->subject_decisions("f-12").size() == 8);
  io::VerifyReport report = verify(temp.path);
  CHECK(report.intact);
  CHECK(report.records == 16);  // the policy and 15 decisions
}

TEST_CASE("running the same stream into the same store twice adds nothing", "[io][store]") {
  TempStore temp;
  run_into(temp.path);
  std::string error;
  auto store = io::AuditStore::open(temp.path, false, error);
  REQUIRE(store);
  feed(*store);
  CHECK(store->added() == 0);
  CHECK(store->already_there() == 16);
  CHECK(store->verify().records == 16);
}

TEST_CASE("verify names the record that was changed", "[io][store][tamper]") {
  TempStore temp;
  run_into(temp.path);
  sql(temp.path,
      "UPDATE records SET body = replace(body, '\"eligible\":false', '\"eligible\":true') "
      "WHERE seq = 6");
  io::VerifyReport report = verify(temp.path);
  CHECK_FALSE(report.intact);
  CHECK(report.problem.rfind("record 6 (eligibility d-", 0) == 0);
  CHECK(report.problem.find("was changed") != std::string::npos);
}

TEST_CASE("verify names a change that also rewrote the record's hash", "[io][store][tamper]") {
  TempStore temp;
  run_into(temp.path);
  // Rewrite record 4 consistently with its own hash: the next record no longer follows it.
  std::string error;
  {
    auto store = io::AuditStore::open(temp.path, false, error);
    REQUIRE(store);
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(temp.path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT prev_hash, seq, kind, key, subject, rule, name, time, time_us, body "
                     "FROM records WHERE seq = 4",
                     -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  auto text = [&](int i) {
    return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)));
  };
  std::string body = text(9) + " ";
  // The chain's formula (docs/explanations.md), as someone who can write the file would compute
  // it: every column but the hash, each as <length>:<bytes>.
  bylaw::Sha256 sha;
  for (int i = 0; i < 10; ++i) {
    std::string field = i == 9 ? body : text(i);
    sha.update(std::to_string(field.size()) + ":" + field);
  }
  std::string hash = bylaw::to_hex(sha.finish());
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  sql(temp.path, "UPDATE records SET body = '" + body + "', hash = '" + hash + "' WHERE seq = 4");
  io::VerifyReport report = verify(temp.path);
  CHECK_FALSE(report.intact);
  CHECK(report.problem.rfind("record 5 (", 0) == 0);
  CHECK(report.problem.find("does not follow record 4") != std::string::npos);
}

TEST_CASE("verify names records that were removed", "[io][store][tamper]") {
  TempStore temp;
  run_into(temp.path);
  sql(temp.path, "DELETE FROM records WHERE seq IN (7, 8)");
  io::VerifyReport report = verify(temp.path);
  CHECK_FALSE(report.intact);
  CHECK(report.problem.rfind("records 7 to 8 before record 9 (", 0) == 0);
  CHECK(report.problem.find("were removed") != std::string::npos);
}

TEST_CASE("verify names records that were swapped", "[io][store][tamper]") {
  TempStore temp;
  run_into(temp.path);
  sql(temp.path,
      "UPDATE records SET seq = -1 WHERE seq = 10; "
      "UPDATE records SET seq = 10 WHERE seq = 11; "
      "UPDATE records SET seq = 11 WHERE seq = -1;");
  io::VerifyReport report = verify(temp.path);
  CHECK_FALSE(report.intact);
  CHECK(report.problem.rfind("record 10 (", 0) == 0);
  CHECK(report.problem.find("was reordered: it follows record 11") != std::string::npos);
}

TEST_CASE("verify names a column its decision contradicts, even under a good hash",
          "[io][store][tamper]") {
  TempStore temp;
  std::string error;
  auto store = io::AuditStore::open(temp.path, true, error);
  REQUIRE(store);
  std::string line = run_into(temp.path + ".source");
  fs::remove(temp.path + ".source");
  line = line.substr(0, line.find('\n'));
  std::optional<runtime::Decision> d = io::decode_decision(line, error);
  REQUIRE(d);
  d->subject = "f-999";  // a writer whose columns and body disagree, hashing both
  REQUIRE(store->add_decision(*d, line));
  store->commit();
  io::VerifyReport report = store->verify();
  CHECK_FALSE(report.intact);
  CHECK(report.problem.find("its subject column says 'f-999' but its decision says 'c-666'") !=
        std::string::npos);
}

TEST_CASE("an anchored head and signed heads", "[io][store][head]") {
  TempStore temp;
  run_into(temp.path);
  std::string error;
  auto store = io::AuditStore::open(temp.path, false, error);
  REQUIRE(store);
  io::AuditHead head = store->head();
  CHECK(head.seq == 16);
  auto parsed = io::AuditHead::parse(head.text());
  REQUIRE(parsed);
  CHECK(parsed->hash == head.hash);
  CHECK_FALSE(io::AuditHead::parse("16:" + head.hash.substr(1)));
  CHECK_FALSE(io::AuditHead::parse("x:" + head.hash));
  io::VerifyOptions options;
  options.head = head;
  CHECK(store->verify(options).intact);
  options.head->hash[0] = options.head->hash[0] == 'a' ? 'b' : 'a';
  CHECK(store->verify(options).problem.find("no longer holds the anchored head") !=
        std::string::npos);
  options.head = io::AuditHead{17, head.hash};
  CHECK(store->verify(options).problem.find("the chain ends at record 16") != std::string::npos);
}

TEST_CASE("records not committed are rolled back when the store goes", "[io][store]") {
  TempStore temp;
  std::string error;
  {
    auto store = io::AuditStore::open(temp.path, true, error);
    REQUIRE(store);
    REQUIRE(store->add_policy(marketplace()));
    store->commit();
    runtime::Decision d;
    d.id = "d-uncommitted";
    d.subject = "f-1";
    REQUIRE(store->add_decision(d, "{}"));
    // Gone before a commit: as if the operation that added it had failed half-way.
  }
  auto store = io::AuditStore::open(temp.path, false, error);
  REQUIRE(store);
  CHECK_FALSE(store->decision("d-uncommitted"));
  CHECK(store->policy_json(marketplace().hash));
  CHECK(store->verify().records == 1);
}

TEST_CASE("a checkpoint commits the records added before it - and one writer holds a store",
          "[io][store][checkpoint]") {
  TempStore temp;
  std::string error;
  auto store = io::AuditStore::open(temp.path, true, error);
  REQUIRE(store);
  {
    io::CheckpointStore checkpoints(*store);
    CHECK_FALSE(checkpoints.load());
    runtime::Decision d;
    d.id = "d-with-checkpoint";
    REQUIRE(store->add_decision(d, "{}"));
    auto other = io::AuditStore::open(temp.path, false, error);
    REQUIRE(other);
    CHECK_THROWS_WITH(io::CheckpointStore(*other), Catch::Contains("is in use by another"));
    io::Checkpoint c;
    c.policy_hash = "h";
    c.input_offset = 42;
    c.state = std::string("\0state", 6);
    checkpoints.save(c);
    auto saved = checkpoints.load();
    REQUIRE(saved);
    CHECK(saved->input_offset == 42);
    CHECK(saved->state == c.state);
  }
  store.reset();  // nothing pending: the checkpoint committed the decision with it
  auto reopened = io::AuditStore::open(temp.path, false, error);
  REQUIRE(reopened);
  CHECK(reopened->decision("d-with-checkpoint"));
  io::CheckpointStore again(*reopened);  // the lock went with its holder
  CHECK(again.load()->input_offset == 42);
}
