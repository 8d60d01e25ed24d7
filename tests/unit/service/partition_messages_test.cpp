// What the cluster's members send over partition subjects: every kind comes back from its bytes,
// ids are the same each time a message is made again, damaged bytes are an error.
#include "service/partition_messages.hpp"

#include <catch2/catch.hpp>

#include "bylaw/core/bytes.hpp"

using namespace bylaw;
using service::PartitionMessage;

TEST_CASE("partition messages come back from their bytes, with ids that do not change",
          "[service][partitions]") {
  runtime::Event e;
  e.type = 3;
  e.id = "evt-1";
  e.time = Time{1'700'000'000'000'000};
  e.sequence = 42;
  e.line = 40;
  e.fields = {Value(std::string("c1")), Value(std::int64_t{-5}), Value(Absent{}), Value(2.5)};
  PartitionMessage event;
  event.kind = PartitionMessage::Kind::event;
  event.n = 17;
  event.event = runtime::share(runtime::Event(e));
  PartitionMessage back = service::decode_message(service::encode_message(event));
  REQUIRE(back.kind == PartitionMessage::Kind::event);
  CHECK(back.n == 17);
  CHECK(back.event->id == "evt-1");
  CHECK(back.event->time == e.time);
  CHECK(back.event->sequence == 42);
  CHECK(back.event->line == 40);
  CHECK(back.event->fields == e.fields);
  CHECK(service::message_id(event, 5) == "e17.5");

  PartitionMessage hop;
  hop.kind = PartitionMessage::Kind::hop;
  hop.n = 9;
  hop.rule = 4;
  hop.step = 1;
  hop.hop = runtime::Hop{false, std::string("\x00\x01reads", 7)};
  back = service::decode_message(service::encode_message(hop));
  REQUIRE(back.kind == PartitionMessage::Kind::hop);
  CHECK(back.rule == 4);
  CHECK(back.step == 1);
  CHECK_FALSE(back.hop.ended);
  CHECK(back.hop.reads == hop.hop.reads);
  // A hop has one sender and one receiver: its id does not name a partition.
  CHECK(service::message_id(hop, 2) == "h9.4.1");

  PartitionMessage tick;
  tick.kind = PartitionMessage::Kind::tick;
  tick.n = 100;
  tick.time = Time{-3};
  back = service::decode_message(service::encode_message(tick));
  REQUIRE(back.kind == PartitionMessage::Kind::tick);
  CHECK(back.n == 100);
  CHECK(back.time == Time{-3});
  CHECK(service::message_id(tick, 7) == "t100.7");
  CHECK(service::partition_subject("bylaw", 7) == "bylaw.p.7");

  std::string bytes = service::encode_message(hop);
  CHECK_THROWS_AS(service::decode_message(bytes.substr(0, bytes.size() - 2)), BadBytes);
  CHECK_THROWS_AS(service::decode_message("z"), BadBytes);
  CHECK_THROWS_AS(service::decode_message(bytes + "!"), BadBytes);
}
