// A partition a worker holds, on a real nats-server: what it says when it is stuck. One that
// holds nothing is never reported; one that holds an event the router's tick has not covered
// yet says so, naming the event and how far the ticks go. One stuck reads its subject again
// through a new consumer, from the message after the last it read, and goes on from there.
#include "service/owned_partition.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "../support.hpp"
#include "cluster_bucket.hpp"

using namespace bylaw;

namespace {

class Discard : public runtime::DecisionSink {
 public:
  void on_decision(const runtime::Decision&) override {}
};

// Publishes event number `n` on partition 0's subject of the cluster "test".
void publish_event(service::BatchPublisher& out, std::uint64_t n) {
  service::PartitionMessage message;
  message.kind = service::PartitionMessage::Kind::event;
  message.n = n;
  runtime::Event event;
  event.id = "evt-" + std::to_string(n);
  message.event = runtime::share(std::move(event));
  out.publish(service::partition_subject("test", 0), service::message_id(message, 0),
              service::encode_message(message));
  out.flush();
}

// The report of `partition`, pumped until it begins with `start` (the message arrived) or 10 s
// pass.
std::optional<std::string> report_once(service::OwnedPartition& partition,
                                       const std::string& start) {
  std::optional<std::string> why;
  for (int i = 0; i < 1000; ++i) {
    partition.pump(16);
    why = partition.stuck_since(std::chrono::steady_clock::now());
    if (why && why->rfind(start, 0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return why;
}

}  // namespace

TEST_CASE("A partition says what it waits for when it is stuck", "[service][partitions]") {
  testing::ClusterBucket bucket(&service::ClusterNames::leases);  // the cluster's stream too
  const check::Policy& policy = testing::shipped_policy("marketplace.policy");
  runtime::Router router(policy, 2);
  Discard sink;
  service::ClusterNames names("test");
  StopFlag stop{0};
  service::BatchPublisher out(bucket.link, &stop);
  service::OwnedPartition partition(policy, runtime::EngineOptions{}, sink, router, 0, bucket.link,
                                    names, out, std::nullopt);
  auto now = std::chrono::steady_clock::now();
  REQUIRE_FALSE(partition.stuck_since(now));  // nothing held

  publish_event(out, 1);
  std::optional<std::string> why = report_once(partition, "1 events");
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
  publish_event(out, 2);
  why = report_once(partition, "2 events");
  REQUIRE(why);
  CHECK(*why ==
        "2 events and 0 hops held, event 0 done, ticks up to event 0; event 1 waits for a tick "
        "to cover it");
}
