// The hot-path JSON writer must give the bytes nlohmann::json::dump() gives (the contract's
// encoding), whatever a string holds: its eight-bytes-at-a-time scan is checked against nlohmann
// on strings with every kind of byte at every position of a word.
#include <random>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "bylaw/io/event_decoder.hpp"  // valid_utf8
#include "io/json_writer.hpp"

using bylaw::io::JsonWriter;
using nlohmann::ordered_json;

namespace {

std::string written(std::string_view text) {
  std::string out;
  JsonWriter(out).string(text);
  return out;
}

std::string by_nlohmann(const std::string& text) {
  return ordered_json(text).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace

TEST_CASE("strings are escaped as nlohmann escapes them, at every position of a word",
          "[io][json]") {
  // Bytes that need care: controls, the quote, the backslash, UTF-8 lead and continuation
  // bytes, and bytes that are never UTF-8.
  const std::string specials[] = {
      "\x01", "\n",   "\x1f", "\"", "\\", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
      "\xff", "\xc3", "\x80"};
  for (const auto& special : specials) {
    for (std::size_t before = 0; before < 20; ++before) {
      for (std::size_t after : {0, 1, 7, 8, 9}) {
        std::string text = std::string(before, 'a') + special + std::string(after, 'z');
        INFO("before " << before << ", after " << after);
        CHECK(written(text) == by_nlohmann(text));
      }
    }
  }
}

// Decisions only ever carry text from lines that were valid UTF-8 (others are rejected), so
// random strings are compared where they are valid UTF-8; where they are not, the writer still
// writes valid UTF-8, with U+FFFD for what it cannot read.
TEST_CASE("random bytes are escaped as nlohmann escapes them", "[io][json]") {
  std::mt19937 random(17);
  std::uniform_int_distribution<int> byte(0, 255), ascii(0x20, 0x7e), length(0, 40);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int n = length(random);
    bool mostly_ascii = i % 2 == 0;  // long plain runs, where the word-at-a-time scan works
    for (int k = 0; k < n; ++k) {
      bool rare = byte(random) < 8;
      text += static_cast<char>(mostly_ascii && !rare ? ascii(random) : byte(random));
    }
    INFO("case " << i);
    if (bylaw::io::valid_utf8(text)) {
      REQUIRE(written(text) == by_nlohmann(text));
    } else {
      REQUIRE(bylaw::io::valid_utf8(written(text)));
    }
  }
}

TEST_CASE("objects and arrays with keys and numbers and times come out as nlohmann writes them",
          "[io][json]") {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("id", "d-1");
  w.key(std::string_view("from \"data\""));
  w.number(18446744073709551615ull);
  w.key("list");
  w.begin_array();
  w.boolean(true);
  w.boolean(false);
  w.null();
  w.time(bylaw::Time{1776872700123000});
  w.begin_object();
  w.end_object();
  w.end_array();
  w.time_field("at", bylaw::Time{0});
  w.end_object();
  w.finish();  // `out` holds room not written yet until then
  ordered_json expected = {
      {"id", "d-1"},
      {"from \"data\"", 18446744073709551615ull},
      {"list", {true, false, nullptr, "2026-04-22T15:45:00.123Z", ordered_json::object()}},
      {"at", "1970-01-01T00:00:00Z"}};
  CHECK(out == expected.dump());
}
