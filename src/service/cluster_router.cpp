#include "cluster_router.hpp"

#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include "cluster_setup.hpp"
#include "partition_messages.hpp"

namespace bylaw::service {

namespace {
// A barrier (acks, then a tick) at least this often, checkpoint or not: partitions take events
// only as ticks cover them, and what waits for acks stays bounded.
constexpr std::size_t kMaxPending = 20000;
constexpr auto kTickEvery = std::chrono::milliseconds(20);
}  // namespace

ClusterRouter::ClusterRouter(const check::Policy& policy, NatsLink& link,
                             const ClusterOptions& cluster, const StopFlag* stop)
    : router_(policy, cluster.partitions),
      publisher_(link, stop),
      prefix_(cluster.prefix),
      name_(fmt::format("NATS subjects {}.p.*", prefix_)) {
  ensure_cluster(link, ClusterNames(prefix_), cluster.replicas);
}

void ClusterRouter::evaluate(const runtime::EventPtr& event, std::uint64_t ordinal) {
  router_.route(event, route_);
  PartitionMessage message;
  message.kind = PartitionMessage::Kind::event;
  message.n = handed_ = ordinal;
  message.event = event;
  std::string body = encode_message(message);
  for (std::uint32_t p : route_.partitions()) {
    publisher_.publish(partition_subject(prefix_, p), message_id(message, p), body);
  }
  last_time_ = event->time;
  if (publisher_.pending() >= kMaxPending || std::chrono::steady_clock::now() >= next_tick_) sync();
}

void ClusterRouter::append(std::string_view bytes) {
  if (!bytes.empty()) throw std::logic_error("the cluster's router made a decision");
}

void ClusterRouter::sync() {
  publisher_.flush();
  if (handed_ == ticked_) return;
  PartitionMessage tick;
  tick.kind = PartitionMessage::Kind::tick;
  tick.n = handed_;
  tick.time = last_time_;
  std::string body = encode_message(tick);
  for (std::uint32_t p = 0; p < router_.partitions(); ++p) {
    publisher_.publish(partition_subject(prefix_, p), message_id(tick, p), body);
  }
  publisher_.flush();
  ticked_ = handed_;
  next_tick_ = std::chrono::steady_clock::now() + kTickEvery;
}

}  // namespace bylaw::service
