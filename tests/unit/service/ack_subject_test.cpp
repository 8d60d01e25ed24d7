#include "service/ack_subject.hpp"

#include <catch2/catch.hpp>

using bylaw::service::AckPlace;
using bylaw::service::parse_ack_subject;

TEST_CASE("an ack subject gives the stream sequence and the messages pending after it") {
  AckPlace place;
  SECTION(
      "the first form: stream, consumer, delivered, sequence, consumer sequence, time, pending") {
    REQUIRE(parse_ack_subject("$JS.ACK.EVENTS.bylaw.1.4217.4210.1764680000000000000.83", place));
    CHECK(place.sequence == 4217);
    CHECK(place.delivery == 4210);
    CHECK(place.pending == 83);
  }
  SECTION("the second form: a domain and an account hash first, a token last") {
    REQUIRE(parse_ack_subject("$JS.ACK.hub.ACCHASH.EVENTS.bylaw.2.99.98.1764680000000000000.0.x7Yq",
                              place));
    CHECK(place.sequence == 99);
    CHECK(place.delivery == 98);
    CHECK(place.pending == 0);
  }
  SECTION("anything else is not a stream message's") {
    CHECK_FALSE(parse_ack_subject("_INBOX.abc.def", place));
    CHECK_FALSE(parse_ack_subject("$JS.ACK.EVENTS.bylaw.1.x.1.2.3", place));
    CHECK_FALSE(parse_ack_subject("$JS.ACK.EVENTS.bylaw.1.2", place));
    CHECK_FALSE(parse_ack_subject("", place));
  }
}
