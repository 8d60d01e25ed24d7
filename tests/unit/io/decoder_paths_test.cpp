// The one-pass reader against the reference reader: for every line, the same outcome, reason,
// detail and record. Lines: tricky ones written here, every scenario's input, the fuzz corpus,
// and mutations of them from a fixed seed (so a failure names a line that fails again).
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/io/event_decoder.hpp"

using namespace bylaw;
using namespace bylaw::io;

namespace {

const check::Policy& extended() {
  return testing::shipped_policy("extended.policy");
}

const check::Policy& every_kind() {
  static const check::Policy policy = testing::policy_of(R"(
event thing.happened {
  who: id
  count: int? in 0..10
  ratio: number
  kind: enum(a, b)
  tags: set<string>
  flag: bool?
  note: string?
  at: time?
  wait: duration?
}
)");
  return policy;
}

std::string describe(const DecodedLine& line) {
  std::string out = std::to_string(int(line.outcome)) + " " + line.reason + " | " + line.detail +
                    " | " + line.id + " " + std::to_string(line.type);
  if (line.outcome != LineOutcome::rejected) out += " " + std::to_string(line.time.micros);
  if (line.event) {
    out += " seq " + std::to_string(line.event->sequence) + " line " +
           std::to_string(line.event->line) + " " + line.event->id + " " +
           std::to_string(line.event->time.micros) + " fields " +
           std::to_string(line.event->fields.size());
  }
  return out;
}

// Decodes `line` both ways, with the id used and unused, and compares everything.
void same_both_ways(const check::Policy& policy, const std::string& line) {
  static std::map<const check::Policy*, std::unique_ptr<EventDecoder>> one_pass, reference;
  auto& fast = one_pass[&policy];
  auto& slow = reference[&policy];
  if (!fast) fast = std::make_unique<EventDecoder>(policy.schema, false, DecodePath::one_pass);
  if (!slow) slow = std::make_unique<EventDecoder>(policy.schema, false, DecodePath::reference);
  for (bool used : {false, true}) {
    auto is_used = [used](const std::string&) { return used; };
    DecodedLine a = fast->decode(line, 7, 9, is_used);
    DecodedLine b = slow->decode(line, 7, 9, is_used);
    INFO(line);
    REQUIRE(describe(a) == describe(b));
    if (a.event) REQUIRE(a.event->fields == b.event->fields);
    DecodedLine c = fast->decode_ahead(line, 7, 9);
    DecodedLine d = slow->decode_ahead(line, 7, 9);
    REQUIRE(describe(c) == describe(d));
    REQUIRE(c.duplicate_unchecked == d.duplicate_unchecked);
    if (c.event) REQUIRE(c.event->fields == d.event->fields);
  }
}

std::string thing(const std::string& data, const std::string& envelope_tail = "") {
  return R"({"id":"e1","type":"thing.happened","time":"2026-01-01T00:00:00Z")" + envelope_tail +
         R"(,"data":)" + data + "}";
}

const char* kGood = R"({"who":"u1","ratio":0.5,"kind":"a","tags":["x","y"]})";

std::vector<std::string> tricky_lines() {
  return {
      thing(kGood),
      thing(R"({"tags":[],"kind":"b","ratio":1,"who":"u"})"),  // out of declared order
      thing(R"({"who":"u1","who":"u2","ratio":0.5,"kind":"a","tags":[]})"),  // first wins
      thing(R"({"who":"","who":"u2","ratio":0.5,"kind":"a","tags":[]})"),    // first is bad
      thing(R"({"who":"u1","who":3,"ratio":0.5,"kind":"a","tags":[]})"),     // later is bad
      thing(R"({"who":null,"who":"u2","ratio":0.5,"kind":"a","tags":[]})"),  // first is null
      thing(R"({"who":"u","ratio":0.5,"kind":"a","tags":[],"count":null,"count":3})"),
      thing(R"({"who":"u","ratio":0.5,"kind":"a","tags":[],"count":2.0,"flag":true})"),
      thing(R"({"who":"u","ratio":0.5,"kind":"a","tags":[],"count":11})"),
      thing(R"({"who":"u","ratio":0.5,"kind":"a","tags":[],"count":-1})"),
      thing(R"({"who":"u","ratio":0.5,"kind":"a","tags":[],"count":2.5})"),
      thing(R"({"who":"u","ratio":0.5,"kind":"a","tags":[],"count":18446744073709551615})"),
      thing(R"({"who":"u","ratio":18446744073709551615,"kind":"a","tags":[]})"),
      thing(R"({"who":"u","ratio":"1","kind":"a","tags":[]})"),
      thing(R"({"who":"u","ratio":1,"kind":"c","tags":[]})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":["b","a","b"]})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":["b",1]})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":"b"})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":[],"flag":"yes"})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":[],"at":"2026-02-01T00:00:00+02:00"})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":[],"at":"2026-02-01"})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":[],"wait":"30d"})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":[],"wait":"thirty"})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":[],"note":"caf\u00e9 \"q\""})"),
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":[],"extra":{"deep":[1,{"x":null}]}})"),
      thing(R"({"who":"u","ratio":1,"kind":"a"})"),  // a required field missing
      thing(R"({"who":"u","ratio":1,"kind":"a","tags":null})"),
      thing(R"({"\u0077ho":"u","ratio":1,"kind":"a","tags":[]})"),  // an escaped key
      thing("null"),
      thing("[]"),
      thing("{}"),
      thing(kGood, R"(,"specversion":"1.0")"),
      thing(kGood, R"(,"specversion":null)"),
      thing(kGood, R"(,"specversion":1.0)"),
      thing(kGood, R"(,"specversion":"1.1")"),
      thing(kGood, R"(,"specversion":"1.0","specversion":"2")"),
      thing(kGood, R"(,"id":"e2")"),  // a second id: the first counts
      thing(kGood, R"(,"data":5)"),   // a second data: the first counts
      thing(kGood, R"(,"time":"bad")"),
      R"({"data":{"who":"u","ratio":1,"kind":"a","tags":[]},"id":"e1","type":"thing.happened","time":"2026-01-01T00:00:00Z"})",
      R"({"id":null,"id":"e1","type":"thing.happened","time":"2026-01-01T00:00:00Z","data":{}})",
      R"({"id":"e1","time":null,"time":"2026-01-01T00:00:00Z","type":"other.thing"})",
      R"({"id":"e1","type":"other.thing","type":"thing.happened","time":"2026-01-01T00:00:00Z"})",
      R"({"id":"e1","type":"thing.happened","type":"other.thing","time":"2026-01-01T00:00:00Z","data":{"who":"u","ratio":1,"kind":"a","tags":[]}})",
      R"({"\u0069d":"e1","type":"other.thing","time":"2026-01-01T00:00:00Z"})",
      R"({"id":"e1","type":"thing.happened","time":"2026-01-01T00:00:00Z","data":null,"data":{"who":"u","ratio":1,"kind":"a","tags":[]}})",
      R"({"id":"e1","type":"other.thing","time":"2026-01-01T00:00:00Z","specversion":null,"specversion":"2"})",
      R"({"id":"e1","type":"other.thing","time":"2026-01-01T00:00:00Z"})",
      R"({"id":"e1","type":"other.thing","time":"2026-01-01T00:00:00Z","data":[1,2]})",
      R"({"id":"e1","type":"other.thing","time":"nope"})",
      R"({"id":"e1","type":"thing.happened","time":"2026-01-01T00:00:00Z"})",
      R"({"id":"","type":"thing.happened","time":"2026-01-01T00:00:00Z","data":{}})",
      R"({"id":null,"type":"thing.happened","time":"2026-01-01T00:00:00Z","data":{}})",
      R"({"id":"e1","type":"","time":"2026-01-01T00:00:00Z","data":{}})",
      R"({"id":"e1","type":7,"time":"2026-01-01T00:00:00Z","data":{}})",
      R"({"id":"e1","type":"thing.happened","data":{}})",
      R"({"type":"thing.happened","time":"2026-01-01T00:00:00Z","data":{}})",
      R"({"id":"e1","type":"thing.happened","time":"2026-01-01T00:00:00Z","data":{}} x)",
      R"([{"id":"e1"}])",
      R"("just a string")",
      "",
      "{",
      "\xff\xfe{}",
  };
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Every scenario's input and every seed of the events fuzzer.
std::vector<std::string> stored_lines() {
  namespace fs = std::filesystem;
  const fs::path root(BYLAW_SOURCE_DIR);
  std::vector<std::string> lines;
  for (const auto& entry : fs::recursive_directory_iterator(root / "tests/scenarios")) {
    if (entry.path().filename() != "input.jsonl") continue;
    for (auto& line : lines_of(entry.path())) lines.push_back(std::move(line));
  }
  for (const auto& entry : fs::directory_iterator(root / "tests/fuzz/corpus/events")) {
    for (auto& line : lines_of(entry.path())) lines.push_back(std::move(line));
  }
  return lines;
}

// A line with a few bytes deleted, doubled or replaced by JSON's own punctuation.
std::string mutate(std::string line, std::mt19937& random) {
  static const std::string kBytes = "{}[]:,\"\\ 0-e.ntfu";
  const int edits = 1 + int(random() % 3);
  for (int k = 0; k < edits && !line.empty(); ++k) {
    std::size_t at = random() % line.size();
    switch (random() % 3) {
      case 0:
        line.erase(at, 1);
        break;
      case 1:
        line.insert(at, 1, line[at]);
        break;
      default:
        line[at] = kBytes[random() % kBytes.size()];
        break;
    }
  }
  return line;
}

}  // namespace

TEST_CASE("the one-pass reader decodes tricky lines as the reference reader does", "[decoder]") {
  for (const std::string& line : tricky_lines()) same_both_ways(every_kind(), line);
}

TEST_CASE("the one-pass reader agrees on every stored line, and on mutations of them",
          "[decoder]") {
  std::vector<std::string> lines = stored_lines();
  REQUIRE(lines.size() > 100);
  // Types the pack raises itself (a timer, a decision) are skipped when a line brings them.
  lines.push_back(
      R"({"id":"r1","type":"hold.appeal_due","time":"2026-01-01T00:00:00Z","data":{}})");
  lines.push_back(R"({"id":"r2","type":"block_lapse","time":"2026-01-01T00:00:00Z"})");
  for (const std::string& line : lines) same_both_ways(extended(), line);
  std::mt19937 random(20261204);
  for (int i = 0; i < 20000; ++i) {
    same_both_ways(extended(), mutate(lines[random() % lines.size()], random));
  }
  std::vector<std::string> tricky = tricky_lines();
  for (int i = 0; i < 5000; ++i) {
    same_both_ways(every_kind(), mutate(tricky[random() % tricky.size()], random));
  }
}
