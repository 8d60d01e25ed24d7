#include <cmath>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include "bylaw/core/bytes.hpp"
#include "runtime/packed_event.hpp"

using bylaw::Absent;
using bylaw::Duration;
using bylaw::EnumValue;
using bylaw::StringSet;
using bylaw::Time;
using bylaw::Value;
using bylaw::runtime::Event;
using bylaw::runtime::pack_event;
using bylaw::runtime::unpack_event;
using bylaw::runtime::UnpackedEvent;

namespace {

Event event_with(std::vector<Value> fields) {
  Event event;
  event.type = 3;
  event.id = "e-1042";
  event.time = Time{1'767'225'600'123'456};
  event.sequence = 99'999;
  event.line = 123'456'789;
  event.fields = std::move(fields);
  return event;
}

void check_same(const Event& a, const Event& b) {
  CHECK(a.type == b.type);
  CHECK(a.id == b.id);
  CHECK(a.time == b.time);
  CHECK(a.sequence == b.sequence);
  CHECK(a.line == b.line);
  REQUIRE(a.fields.size() == b.fields.size());
  for (std::size_t i = 0; i < a.fields.size(); ++i) {
    INFO("field " << i);
    CHECK(a.fields[i] == b.fields[i]);
  }
}

}  // namespace

TEST_CASE("every kind of field survives packing exactly", "[runtime][packed]") {
  std::string long_id(300, 'x');  // longer than one varint byte of length
  Event event = event_with({
      Absent{},
      true,
      false,
      std::int64_t{0},
      std::int64_t{-1},
      std::numeric_limits<std::int64_t>::min(),
      std::numeric_limits<std::int64_t>::max(),
      -0.0,
      1e300,
      std::string{},
      long_id,
      Time{-62'135'596'800'000'000},  // 0001-01-01
      Duration{6, -1},
      EnumValue{2},
      StringSet::from({"refund_for_review", "spam"}),
      StringSet{},
  });
  std::string packed;
  pack_event(event, packed);
  UnpackedEvent out;
  unpack_event(packed, out);
  check_same(out.event, event);
  CHECK(std::signbit(std::get<double>(out.event.fields[7])));  // -0.0 keeps its sign
}

TEST_CASE("a contract event packs into a fraction of its decoded size", "[runtime][packed]") {
  // contract.closed: three ids, two enums and an amount. Decoded: 6 x 40 bytes of fields plus
  // a header of over 100 bytes.
  Event closed =
      event_with({std::string("k-1234567"), std::string("c-123456"), std::string("f-654321"),
                  EnumValue{1}, EnumValue{0}, std::int64_t{2364}});
  std::string packed;
  pack_event(closed, packed);
  CHECK(packed.size() <= 64);
}

TEST_CASE("a timer event (no id, no line) packs too", "[runtime][packed]") {
  Event timer = event_with({std::string("f-1"), std::string("proposals_blocked")});
  timer.id.clear();
  timer.line = 0;
  std::string packed;
  pack_event(timer, packed);
  UnpackedEvent out;
  unpack_event(packed, out);
  check_same(out.event, timer);
}

TEST_CASE("unpacking into a used event leaves nothing of the previous one", "[runtime][packed]") {
  UnpackedEvent out;
  std::string packed;
  pack_event(event_with({StringSet::from({"a", "b", "c"}), std::string("long enough to allocate"),
                         std::int64_t{7}}),
             packed);
  unpack_event(packed, out);

  // Fewer set items, a string where an int was, an int where a string was, one field fewer.
  Event second = event_with({StringSet::from({"z"}), std::int64_t{5}});
  second.id = "e-2";
  pack_event(second, packed);
  unpack_event(packed, out);
  check_same(out.event, second);
  CHECK(out.spare_strings.size() == 2);  // the items the set no longer needs, kept for later

  // The set grows again from the spares.
  Event third = event_with({StringSet::from({"p", "q", "r", "s"}), std::int64_t{5}});
  pack_event(third, packed);
  unpack_event(packed, out);
  check_same(out.event, third);
  CHECK(out.spare_strings.empty());
}

TEST_CASE("corrupt packed bytes are refused, not read past", "[runtime][packed]") {
  std::string packed;
  pack_event(event_with({std::string("k-1")}), packed);
  UnpackedEvent out;
  CHECK_THROWS_AS(unpack_event(std::string_view(packed).substr(0, packed.size() - 1), out),
                  bylaw::BadBytes);
  CHECK_THROWS_AS(unpack_event(packed + "x", out), bylaw::BadBytes);
}
