// The event decoder and the stream runner: reject codes, field validation, accounting.
#include <sstream>

#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/event_decoder.hpp"
#include "bylaw/io/stream_runner.hpp"

using namespace bylaw;
using namespace bylaw::io;

namespace {

const check::Policy& schema_policy() {
  static const check::Policy policy = testing::policy_of(R"(
event thing.happened {
  who: id
  count: int? in 0..10
  ratio: number
  kind: enum(a, b)
  tags: set<string>
  flag: bool?
}
)");
  return policy;
}

DecodedLine decode(const std::string& line, bool duplicate = false) {
  static EventDecoder decoder(schema_policy().schema);
  return decoder.decode(line, 1, 1, [duplicate](const std::string&) { return duplicate; });
}

std::string reason(const std::string& line) {
  return decode(line).reason;
}

std::string with_data(const std::string& data) {
  return R"({"id":"e1","type":"thing.happened","time":"2026-01-01T00:00:00Z","data":)" + data + "}";
}

}  // namespace

TEST_CASE("the envelope is checked first - in the contract's order", "[io][decoder]") {
  CHECK(reason("\xff") == "invalid_utf8");
  CHECK(reason("{") == "invalid_json");
  CHECK(reason("") == "invalid_json");
  CHECK(reason("\"text\"") == "not_an_object");
  CHECK(reason(R"({"type":"x","time":"2026-01-01T00:00:00Z"})") == "missing_id");
  CHECK(reason(R"({"id":null,"type":"x","time":"2026-01-01T00:00:00Z"})") == "missing_id");
  CHECK(reason(R"({"id":["e"],"type":"x","time":"2026-01-01T00:00:00Z"})") == "bad_id");
  CHECK(reason(R"({"id":"e","time":"2026-01-01T00:00:00Z"})") == "missing_type");
  CHECK(reason(R"({"id":"e","type":"","time":"2026-01-01T00:00:00Z"})") == "bad_type");
  CHECK(reason(R"({"id":"e","type":"x"})") == "missing_time");
  CHECK(reason(R"({"id":"e","type":"x","time":1767225600})") == "bad_time");
  CHECK(reason(R"({"id":"e","type":"x","time":"2026-02-30T00:00:00Z"})") == "bad_time");
  CHECK(reason(R"({"id":"e","type":"x","time":"2026-01-01T00:00:00Z","specversion":"2.0"})") ==
        "bad_specversion");
  // A bad envelope is rejected even when the id is a duplicate: the envelope comes first.
  CHECK(decode(R"({"id":"e","type":"x"})", true).reason == "missing_time");
}

TEST_CASE("duplicates - then undeclared types - then data", "[io][decoder]") {
  std::string good = with_data(R"({"who":"w","ratio":1,"kind":"a","tags":[]})");
  CHECK(decode(good).outcome == LineOutcome::event);
  CHECK(decode(good, true).outcome == LineOutcome::duplicate);
  DecodedLine skipped = decode(R"({"id":"e","type":"other.thing","time":"2026-01-01T00:00:00Z"})");
  CHECK(skipped.outcome == LineOutcome::skipped);
  CHECK(skipped.id == "e");
  // The engine's own timer is not an input type.
  CHECK(decode(R"({"id":"e","type":"hold.appeal_due","time":"2026-01-01T00:00:00Z","data":{}})")
            .outcome == LineOutcome::skipped);
  CHECK(reason(R"({"id":"e","type":"thing.happened","time":"2026-01-01T00:00:00Z"})") ==
        "missing_data");
  CHECK(reason(with_data("[]")) == "data_not_object");
}

TEST_CASE("data is validated against the schema", "[io][decoder]") {
  CHECK(reason(with_data(R"({"ratio":1,"kind":"a","tags":[]})")) == "missing_field:who");
  CHECK(reason(with_data(R"({"who":null,"ratio":1,"kind":"a","tags":[]})")) == "missing_field:who");
  CHECK(reason(with_data(R"({"who":"","ratio":1,"kind":"a","tags":[]})")) == "bad_field:who");
  CHECK(reason(with_data(R"({"who":"w","ratio":"1","kind":"a","tags":[]})")) == "bad_field:ratio");
  CHECK(reason(with_data(R"({"who":"w","ratio":1,"kind":"c","tags":[]})")) == "bad_field:kind");
  CHECK(reason(with_data(R"({"who":"w","ratio":1,"kind":"a","tags":[1]})")) == "bad_field:tags");
  CHECK(reason(with_data(R"({"who":"w","ratio":1,"kind":"a","tags":[],"count":11})")) ==
        "bad_field:count");
  CHECK(reason(with_data(R"({"who":"w","ratio":1,"kind":"a","tags":[],"count":2.5})")) ==
        "bad_field:count");
  CHECK(reason(with_data(R"({"who":"w","ratio":1,"kind":"a","tags":[],"flag":"yes"})")) ==
        "bad_field:flag");
}

TEST_CASE("what the schema allows decodes into typed fields", "[io][decoder]") {
  DecodedLine line = decode(
      R"({"id":"e1","type":"thing.happened","time":"2026-01-01T02:00:00+02:00","extra":1,)"
      R"("data":{"who":"w","count":2.0,"ratio":-0,"kind":"b","tags":["y","x","y"],"more":true}})");
  REQUIRE(line.outcome == LineOutcome::event);
  const runtime::Event& e = *line.event;
  CHECK(e.time == *parse_rfc3339("2026-01-01T00:00:00Z"));
  CHECK(std::get<std::string>(e.fields[0]) == "w");
  CHECK(std::get<std::int64_t>(e.fields[1]) == 2);
  CHECK(std::get<double>(e.fields[2]) == 0.0);
  CHECK(std::get<EnumValue>(e.fields[3]).index == 1);
  CHECK(std::get<StringSet>(e.fields[4]).items == std::vector<std::string>{"x", "y"});
  CHECK(is_absent(e.fields[5]));
}

TEST_CASE("every line is accounted for exactly once", "[io][runner]") {
  const check::Policy& policy = schema_policy();
  std::string good =
      R"(,"type":"thing.happened","data":{"who":"w","ratio":1,"kind":"a","tags":[]}})";
  std::istringstream input(
      R"({"id":"a","time":"2026-01-01T00:00:00Z")" + good + "\n" +
      R"({"id":"a","time":"2026-01-01T00:00:01Z")" + good + "\n" +  // duplicate
      R"({"id":"b","type":"other","time":"2026-01-01T00:00:02Z"})"
      "\n" +  // skipped
      R"({"id":"b","time":"2026-01-01T00:00:03Z")" +
      good + "\n" +                                                        // duplicate of a skip
      R"({"id":"c","time":"2025-12-31T00:00:00Z")" + good + "\n" +         // late
      R"({"id":"c","time":"2026-01-01T00:00:04Z")" + good + "\r\n" +       // re-sent: evaluated
      "garbage\n" + R"({"id":"d","time":"2026-01-01T00:00:05Z")" + good);  // no final newline
  std::ostringstream output;
  std::vector<std::string> rejects;
  RunCounts counts = run_stream(
      policy, input, output,
      [&](std::uint64_t line, std::string_view why, std::string_view, std::string_view) {
        rejects.push_back(std::to_string(line) + ":" + std::string(why));
      },
      RunOptions{});
  CHECK(counts.lines == 8);
  CHECK(counts.evaluated == 3);
  CHECK(counts.duplicates == 2);
  CHECK(counts.skipped == 1);
  CHECK(counts.late == 1);
  CHECK(counts.rejected == 1);
  CHECK(counts.lines ==
        counts.evaluated + counts.duplicates + counts.skipped + counts.late + counts.rejected);
  CHECK(rejects == std::vector<std::string>{"5:late", "7:invalid_json"});
  std::string summary = summary_text(counts);
  CHECK(summary.find("8 lines read: 3 evaluated, 2 duplicates, 1 skipped, 1 late, 1 rejected") !=
        std::string::npos);
}

TEST_CASE("rejects keep the original line - bytes JSON cannot carry are replaced",
          "[io][encoder]") {
  CHECK(encode_reject(3, "invalid_json", "", "not json") ==
        R"({"line":3,"reason":"invalid_json","input":"not json"})");
  CHECK(encode_reject(4, "invalid_utf8", "the line is not UTF-8", "caf\xe9") ==
        "{\"line\":4,\"reason\":\"invalid_utf8\",\"detail\":\"the line is not UTF-8\","
        "\"input\":\"caf\xef\xbf\xbd\"}");
}

TEST_CASE("UTF-8 validation refuses overlong forms and surrogates", "[io][utf8]") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(valid_utf8("\xe2\x82"));          // cut short
}

TEST_CASE("a reused record shows nothing of the event decoded into it before", "[io][decoder]") {
  EventDecoder decoder(schema_policy().schema);
  auto never = [](const std::string&) { return false; };
  const runtime::Event* first_record = nullptr;
  {
    DecodedLine first = decoder.decode(
        with_data(R"({"who":"a-long-account-name-past-sso","count":7,"ratio":1.5,"kind":"b",)"
                  R"("tags":["z","y","x"],"flag":true})"),
        1, 1, never);
    REQUIRE(first.outcome == LineOutcome::event);
    first_record = first.event.get();
  }  // released: the next event of this type reuses the record
  DecodedLine second =
      decoder.decode(with_data(R"({"who":"b","ratio":2,"kind":"a","tags":["q"]})"), 2, 2, never);
  REQUIRE(second.outcome == LineOutcome::event);
  CHECK(second.event.get() == first_record);
  const auto& f = second.event->fields;
  CHECK(std::get<std::string>(f[0]) == "b");
  CHECK(is_absent(f[1]));  // count: optional, not given this time
  CHECK(std::get<double>(f[2]) == 2.0);
  CHECK(std::get<EnumValue>(f[3]).index == 0);
  CHECK(std::get<StringSet>(f[4]).items == std::vector<std::string>{"q"});
  CHECK(is_absent(f[5]));
  CHECK(second.event->line == 2);
}

TEST_CASE("a rejected line gives its record back without changing a live event", "[io][decoder]") {
  EventDecoder decoder(schema_policy().schema);
  auto never = [](const std::string&) { return false; };
  DecodedLine kept =
      decoder.decode(with_data(R"({"who":"a","ratio":1,"kind":"a","tags":["t"]})"), 1, 1, never);
  REQUIRE(kept.outcome == LineOutcome::event);
  DecodedLine bad =
      decoder.decode(with_data(R"({"who":"b","ratio":"x","kind":"a","tags":[]})"), 2, 2, never);
  CHECK(bad.reason == "bad_field:ratio");
  CHECK(std::get<std::string>(kept.event->fields[0]) == "a");
  CHECK(std::get<StringSet>(kept.event->fields[4]).items == std::vector<std::string>{"t"});
}
