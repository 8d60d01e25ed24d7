// Checkpoints at the run level: a runner saved after any line and restored into a new one goes
// on exactly as the uninterrupted run, byte for byte, on every scenario stream and the sample;
// damaged state is an error, never a crash. And the dedup horizon: old ids are forgotten.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "bylaw/check/checker.hpp"
#include "bylaw/core/bytes.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/internal/id_set.hpp"
#include "bylaw/io/stream_runner.hpp"

using namespace bylaw;
using namespace bylaw::io;

namespace {

const check::Policy& marketplace() {
  static const check::Policy policy = [] {
    auto loaded =
        io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/marketplace.policy");
    REQUIRE(loaded.policy);
    return std::move(*loaded.policy);
  }();
  return policy;
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Encode : runtime::DecisionSink {
  std::string out;
  void on_decision(const runtime::Decision& d) override {
    if (d.shadow) return;
    append_decision(d, out);
    out += '\n';
  }
};

// Decisions and rejects of a run, then its counts, as text to compare.
struct Transcript {
  Encode decisions;
  std::string rejects;
  RejectHandler on_reject() {
    return [this](std::uint64_t line, std::string_view reason, std::string_view, std::string_view) {
      rejects += std::to_string(line) + ":" + std::string(reason) + "\n";
    };
  }
};

std::string counts_text(RunCounts c) {
  c.seconds = 0;  // the one field a resumed run cannot share
  return summary_json(c);
}

std::string run_whole(const std::vector<std::string>& lines, const RunOptions& options) {
  Transcript t;
  StreamRunner runner(marketplace(), t.decisions, t.on_reject(), options);
  for (const auto& line : lines) runner.line(line);
  runner.finish();
  return t.decisions.out + t.rejects + counts_text(runner.counts());
}

// Stopped after `stop` lines, saved, and gone on with in a new runner.
std::string run_resumed(const std::vector<std::string>& lines, std::size_t stop,
                        const RunOptions& options) {
  Transcript t;
  std::string state;
  {
    StreamRunner first(marketplace(), t.decisions, t.on_reject(), options);
    for (std::size_t i = 0; i < stop; ++i) first.line(lines[i]);
    first.save(state);
  }
  StreamRunner second(marketplace(), t.decisions, t.on_reject(), options);
  runtime::RestoreReport report = second.restore(state);
  CHECK(report.dropped.empty());
  for (std::size_t i = stop; i < lines.size(); ++i) second.line(lines[i]);
  second.finish();
  return t.decisions.out + t.rejects + counts_text(second.counts());
}

std::vector<std::filesystem::path> streams() {
  std::vector<std::filesystem::path> paths{std::string(BYLAW_SOURCE_DIR) +
                                           "/examples/marketplace.jsonl"};
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(BYLAW_SOURCE_DIR) + "/tests/scenarios")) {
    if (entry.is_directory()) paths.push_back(entry.path() / "input.jsonl");
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace

TEST_CASE("a run saved after any line and restored goes on exactly as if never stopped",
          "[io][checkpoint]") {
  for (Duration lateness : {Duration{}, Duration{0, 2LL * 24 * 3600 * 1000 * 1000}}) {
    RunOptions options;
    options.max_lateness = lateness;
    for (const auto& path : streams()) {
      std::vector<std::string> lines = lines_of(path);
      std::string whole = run_whole(lines, options);
      for (std::size_t stop = 0; stop <= lines.size(); ++stop) {
        INFO(path.string() << " stopped after line " << stop << ", lateness " << lateness.micros);
        REQUIRE(run_resumed(lines, stop, options) == whole);
      }
    }
  }
}

TEST_CASE("saving twice gives the same bytes - a restored run saves what it restored",
          "[io][checkpoint]") {
  std::vector<std::string> lines =
      lines_of(std::string(BYLAW_SOURCE_DIR) + "/examples/marketplace.jsonl");
  Transcript t;
  RunOptions options;
  options.max_lateness = Duration{0, 3600LL * 1000 * 1000};
  StreamRunner first(marketplace(), t.decisions, t.on_reject(), options);
  for (std::size_t i = 0; i < lines.size() / 2; ++i) first.line(lines[i]);
  std::string a, b;
  first.save(a);
  first.save(b);
  CHECK(a == b);
  StreamRunner second(marketplace(), t.decisions, t.on_reject(), options);
  second.restore(a);
  std::string c;
  second.save(c);
  // Hash maps may list keys in another order, so compare sizes and a second round trip.
  CHECK(c.size() == a.size());
  StreamRunner third(marketplace(), t.decisions, t.on_reject(), options);
  third.restore(c);
  CHECK(counts_text(third.counts()) == counts_text(first.counts()));
}

TEST_CASE("damaged state is an error at every cut and never a crash", "[io][checkpoint]") {
  std::vector<std::string> lines =
      lines_of(std::string(BYLAW_SOURCE_DIR) + "/examples/marketplace.jsonl");
  Transcript t;
  StreamRunner first(marketplace(), t.decisions, t.on_reject(), RunOptions{});
  for (const auto& line : lines) first.line(line);
  std::string state;
  first.save(state);
  for (std::size_t cut = 0; cut < state.size(); ++cut) {
    StreamRunner second(marketplace(), t.decisions, t.on_reject(), RunOptions{});
    INFO("cut at " << cut << " of " << state.size());
    CHECK_THROWS_AS(second.restore(std::string_view(state).substr(0, cut)), BadBytes);
  }
  StreamRunner second(marketplace(), t.decisions, t.on_reject(), RunOptions{});
  CHECK_THROWS_AS(second.restore(state + "x"), BadBytes);
}

TEST_CASE("ids older than the dedup horizon are forgotten - a re-send that old is late",
          "[io][checkpoint]") {
  auto event = [](const std::string& id, const std::string& time) {
    return R"({"specversion":"1.0","id":")" + id + R"(","source":"t","type":"contract.started",)" +
           R"("time":")" + time + R"(","data":{"contract":"k","client":"c","freelancer":"f",)" +
           R"("kind":"fixed","amount":5}})";
  };
  RunOptions options;
  options.dedup_horizon = Duration{0, 10LL * 24 * 3600 * 1000 * 1000};  // 10d
  options.max_lateness = Duration{0, 20LL * 24 * 3600 * 1000 * 1000};   // 20d: wins over 10d
  Transcript t;
  StreamRunner runner(marketplace(), t.decisions, t.on_reject(), options);
  runner.line(event("a", "2026-01-01T00:00:00Z"));
  runner.line(event("b", "2026-01-15T00:00:00Z"));
  runner.line(event("a", "2026-01-01T00:00:00Z"));  // 14 days back: within 20d, a duplicate
  CHECK(runner.counts().duplicates == 1);
  runner.line(event("c", "2026-02-10T00:00:00Z"));  // the clock moves on: "a" is forgotten
  runner.line(event("a", "2026-01-01T00:00:00Z"));  // now late, not a duplicate
  RunCounts counts = runner.counts();
  CHECK(counts.duplicates == 1);
  CHECK(counts.late == 1);
  CHECK(counts.evaluated == 3);
}

TEST_CASE("the id set forgets by hour and keeps working", "[io][ids]") {
  IdSet ids;
  Time base{0};
  auto hour = [&](int h) { return Time{base.micros + h * 3600LL * 1000 * 1000}; };
  for (int i = 0; i < 10000; ++i) ids.insert("id-" + std::to_string(i), hour(i / 100));
  CHECK(ids.size() == 10000);
  CHECK(ids.forget_before(hour(50)) == 5000);  // hours 0..49
  CHECK(ids.size() == 5000);
  CHECK_FALSE(ids.contains("id-4999"));
  CHECK(ids.contains("id-5000"));
  CHECK(ids.contains("id-9999"));
  CHECK(ids.forget_before(hour(50)) == 0);
  ids.insert("id-0", hour(200));
  CHECK(ids.contains("id-0"));
  std::string saved;
  ids.save(saved);
  IdSet restored;
  ByteReader in(saved, "test");
  restored.restore(in);
  CHECK(restored.size() == 5001);
  CHECK(restored.contains("id-0"));
  CHECK(restored.contains("id-7777"));
  CHECK_FALSE(restored.contains("id-1"));
  // Before 1970 an hour rounds down, too.
  IdSet early;
  early.insert("x", Time{-1});
  CHECK(early.forget_before(Time{0}) == 1);
}
