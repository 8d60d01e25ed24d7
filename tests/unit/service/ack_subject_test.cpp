#include "service/ack_subject.hpp"

#include <catch2/catch.hpp>

using bylaw::service::parse_ack_subject;

TEST_CASE("an ack subject gives the stream sequence and the messages pending after it") {
  std::uint64_t sequence = 0, pending = 0;
  SECTION(
      "the first form: stream, consumer, delivered, sequence, consumer sequence, time, pending") {
    REQUIRE(parse_ack_subject("$JS.ACK.EVENTS.bylaw.1.4217.4210.1764680000000000000.83", sequence,
                              pending));
    CHECK(sequence == 4217);
    CHECK(pending == 83);
  }
  SECTION("the second form: a domain and an account hash first, a token last") {
    REQUIRE(parse_ack_subject("$JS.ACK.hub.ACCHASH.EVENTS.bylaw.2.99.98.1764680000000000000.0.x7Yq",
                              sequence, pending));
    CHECK(sequence == 99);
    CHECK(pending == 0);
  }
  SECTION("anything else is not a stream message's") {
    CHECK_FALSE(parse_ack_subject("_INBOX.abc.def", sequence, pending));
    CHECK_FALSE(parse_ack_subject("$JS.ACK.EVENTS.bylaw.1.x.1.2.3", sequence, pending));
    CHECK_FALSE(parse_ack_subject("$JS.ACK.EVENTS.bylaw.1.2", sequence, pending));
    CHECK_FALSE(parse_ack_subject("", sequence, pending));
  }
}
