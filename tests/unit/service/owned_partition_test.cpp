// A partition a worker holds, on a real nats-server: what it says when it is stuck. One that
// holds nothing is never reported; one that holds an event the router's tick has not covered
// yet says so, naming the event and how far the ticks go. One stuck reads its subject again
// through a new consumer, from the message after the last it read, and goes on from there.
#include "service/owned_partition.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "bylaw/io/disk_files.hpp"
#include "cluster_bucket.hpp"

using namespace bylaw;

namespace {

class Discard : public runtime::DecisionSink {
 public:
  void on_decision(const runtime::Decision&) override {}
};

// The report of `partition`, pumped until it has one (the message arrives) or 10 s pass.
std::optional<std::string> report_once_read(service::OwnedPartition& partition) {
  for (int i = 0; i < 1000; ++i) {
    partition.pump(16);
    if (auto why = partition.stuck_since(std::chrono::steady_clock::now())) return why;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("A partition says what it waits for when it is stuck", "[service][partitions]") {
  testing::ClusterBucket bucket(&service::ClusterNames::leases);  // the cluster's stream too
  check::LoadResult loaded =
      io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/marketplace.policy");
  REQUIRE(loaded.policy);
  runtime::Router router(*loaded.policy, 2);
  Discard sink;
  service::ClusterNames names("test");
  StopFlag stop{0};
  service::BatchPublisher out(bucket.link, &stop);
  service::OwnedPartition partition(*loaded.policy, runtime::EngineOptions{}, sink, router, 0,
                                    bucket.link, names, out, std::nullopt);
  auto now = std::chrono::steady_clock::now();
  REQUIRE_FALSE(partition.stuck_since(now));  // nothing held

  service::PartitionMessage event;
  event.kind = service::PartitionMessage::Kind::event;
  event.n = 1;
  runtime::Event e;
  e.id = "evt-1";
  event.event = runtime::share(std::move(e));
  out.publish(service::partition_subject("test", 0), service::message_id(event, 0),
              service::encode_message(event));
  out.flush();
  std::optional<std::string> why = report_once_read(partition);
  REQUIRE(why);
  CHECK(*why ==
        "1 events and 0 hops held, event 0 done, ticks up to event 0; event 1 waits for a tick "
        "to cover it");

  // Stuck: read again from after the one message read (the stream's first).
  auto later = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  REQUIRE(partition.read_again_if_stuck_since(later) == std::optional<std::uint64_t>(2));
  // Not again at once: only when stuck since the new consumer was made.
  REQUIRE_FALSE(partition.read_again_if_stuck_since(std::chrono::steady_clock::now() -
                                                    std::chrono::seconds(1)));
  event.n = 2;
  runtime::Event second;
  second.id = "evt-2";
  event.event = runtime::share(std::move(second));
  out.publish(service::partition_subject("test", 0), service::message_id(event, 0),
              service::encode_message(event));
  out.flush();
  for (int i = 0; i < 1000 && why->rfind("2 events", 0) != 0; ++i) {
    partition.pump(16);
    why = partition.stuck_since(std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(*why ==
        "2 events and 0 hops held, event 0 done, ticks up to event 0; event 1 waits for a tick "
        "to cover it");
}
