// Partitioned evaluation's runtime parts (docs/scaling.md): the bytes of a hop, the gate a
// rule's reads and writes pass, and the router's routes and refusals.
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/runtime/partitions.hpp"
#include "runtime/hops.hpp"

using namespace bylaw;
using namespace bylaw::runtime;

namespace {

const char* kRules = R"(
event order.placed { order: id  buyer: id  seller: id }
event order.flagged { order: id  reason: string }

rule flagged_sellers {
  on order.placed as o
  let flag = latest order.flagged as f where f.order == o.order
  where flag.reason == "fraud"
  count distinct o.buyer per o.seller over 30d as buyers
  when buyers >= 2
  then hold selling on o.seller not appealable say "{buyers} buyers"
}
)";

std::string key_of(const Value& value) {
  std::string key;
  append_key(key, value);
  return key;
}

EventPtr order(const check::Policy& policy, const std::string& id, const std::string& order_id,
               const std::string& seller) {
  Event event;
  event.type = policy.schema.find("order.placed");
  event.id = id;
  event.time = *parse_rfc3339("2026-01-01T00:00:00Z");
  event.fields = {Value(order_id), Value(std::string("b")), Value(seller)};
  return share(std::move(event));
}

// An id whose key falls in `partition` of `partitions`, found by trying ids in turn.
std::string id_in(std::uint32_t partition, std::uint32_t partitions, const std::string& stem) {
  for (int i = 0;; ++i) {
    std::string id = stem + std::to_string(i);
    if (partition_of(key_of(Value(id)), partitions) == partition) return id;
  }
}

}  // namespace

TEST_CASE("a hop's reads come back from their bytes as they were", "[runtime][partitions]") {
  HopReads reads(3);
  reads[0].value = Value(true);
  reads[1].kind = HopRead::Kind::latest;
  reads[1].found = true;
  reads[1].packed = std::string("\x01\x02packed\0bytes", 14);
  reads[2].kind = HopRead::Kind::earlier;
  reads[2].decisions.push_back({Time{42}, true, "e1"});
  reads[2].decisions.push_back({Time{-7}, std::nullopt, ""});
  HopReads back = decode_reads(encode_reads(reads));
  REQUIRE(back.size() == 3);
  CHECK(back[0].value == Value(true));
  CHECK(back[1].found);
  CHECK(back[1].packed == reads[1].packed);
  REQUIRE(back[2].decisions.size() == 2);
  CHECK(back[2].decisions[0].time == Time{42});
  CHECK(back[2].decisions[0].eligible == std::optional<bool>(true));
  CHECK(back[2].decisions[0].trigger == "e1");
  CHECK(back[2].decisions[1].time == Time{-7});
  CHECK_FALSE(back[2].decisions[1].eligible.has_value());
  // Damaged bytes are an error, never a crash.
  std::string bytes = encode_reads(reads);
  CHECK_THROWS_AS(decode_reads(bytes.substr(0, bytes.size() - 3)), BadBytes);
  CHECK_THROWS_AS(decode_reads(bytes + "x"), BadBytes);
}

TEST_CASE("the gate replays what was handed over, reads what it owns, and hands on the rest",
          "[runtime][partitions]") {
  const std::uint32_t partitions = 4;
  std::string mine = key_of(Value(id_in(1, partitions, "k")));
  std::string theirs = key_of(Value(id_in(2, partitions, "k")));
  HopGate gate(1, partitions);

  HopReads handed(1);
  handed[0].value = Value(std::int64_t{7});
  gate.start(handed, true);
  gate.begin_rule();
  // The first read is replayed, whoever owns its key; the next is read here.
  const HopRead* replayed = gate.read(theirs, HopRead::Kind::value);
  REQUIRE(replayed != nullptr);
  CHECK(replayed->value == Value(std::int64_t{7}));
  CHECK(gate.read(mine, HopRead::Kind::value) == nullptr);
  HopRead here;
  here.value = Value(false);
  gate.kept(here);
  // Another partition's state: the rule goes on there, with both reads.
  CHECK_THROWS_AS(gate.read(theirs, HopRead::Kind::value), ForwardNeeded);
  CHECK(gate.reads().size() == 2);

  // After a write here, another partition's state is a route the router did not foresee.
  gate.start({}, true);
  gate.begin_rule();
  gate.write(mine);
  CHECK_THROWS_AS(gate.read(theirs, HopRead::Kind::value), PartitionError);

  // A rule started without `start` (a timer's, a reaction's) stays here.
  gate.begin_rule();
  CHECK_THROWS_AS(gate.write(theirs), PartitionError);
  CHECK(gate.read(mine, HopRead::Kind::value) == nullptr);
}

TEST_CASE("the router sends a rule to the partitions of its steps and an event to its index's",
          "[runtime][partitions]") {
  check::Policy policy = testing::policy_of(kRules);
  const std::uint32_t partitions = 8;
  Router router(policy, partitions);
  std::string order_id = id_in(3, partitions, "o");
  std::string seller = id_in(5, partitions, "s");
  EventRoute route;
  router.route(order(policy, "e1", order_id, seller), route);
  REQUIRE(route.rules.size() == 1);
  CHECK(route.rules[0].partitions == std::vector<std::uint32_t>{3, 5});
  CHECK(route.partitions() == std::vector<std::uint32_t>{3, 5});
  auto at3 = route.work_at(3);
  REQUIRE(at3.size() == 1);
  CHECK(at3[0].hop == 0);
  CHECK(at3[0].forwards);
  CHECK(at3[0].to == 5);
  auto at5 = route.work_at(5);
  REQUIRE(at5.size() == 1);
  CHECK(at5[0].hop == 1);
  CHECK(at5[0].from == 3);
  CHECK_FALSE(at5[0].forwards);

  // Both keys in one partition: one step there, no hop.
  router.route(order(policy, "e2", order_id, id_in(3, partitions, "s")), route);
  CHECK(route.rules[0].partitions == std::vector<std::uint32_t>{3});

  // A flag goes to its order's partition, where the lookup runs.
  Event flag;
  flag.type = policy.schema.find("order.flagged");
  flag.id = "f1";
  flag.fields = {Value(order_id), Value(std::string("fraud"))};
  router.route(share(std::move(flag)), route);
  CHECK(route.rules.empty());
  CHECK(route.indexes == std::vector<std::uint32_t>{3});
}

TEST_CASE("a rule whose step is keyed by what a lookup found cannot be routed ahead",
          "[runtime][partitions]") {
  check::Policy policy = testing::policy_of(R"(
event order.placed { order: id  buyer: id  seller: id }
event order.flagged { order: id  by: id }

rule flaggers {
  on order.placed as o
  let flag = latest order.flagged as f where f.order == o.order
  where flag.by != "nobody"
  then hold flagging on flag.by not appealable say "flagged"
}
)");
  try {
    Router router(policy, 4);
    FAIL("the router accepted a step keyed by a lookup's result");
  } catch (const PartitionError& e) {
    std::string what = e.what();
    CHECK(what.find("rule flaggers cannot run partitioned") != std::string::npos);
    CHECK(what.find("step 2 is keyed by flag.by") != std::string::npos);
  }
}
