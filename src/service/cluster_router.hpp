// The cluster's router (`bylaw serve --role router`, docs/scaling.md): a serve whose engine only
// admits (duplicates, lateness, the schema) and hands every evaluated event here. Each goes, as
// a message stamped with its place in the order (n), to the partition subjects of the rules it
// sets off and the indexes that keep it. Every 20 ms while events come, and at each of the run's
// checkpoints (this is its output's sync), the router waits until JetStream has stored all of
// them, then ticks every partition: "every event up to n is published, the last at time t". A
// checkpoint never covers an event that is not stored; a router restarted from one publishes the
// rest again, under the same ids.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "batch_publisher.hpp"
#include "bylaw/check/policy.hpp"
#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/run_output.hpp"
#include "bylaw/runtime/engine.hpp"
#include "bylaw/runtime/partitions.hpp"
#include "bylaw/service/cluster.hpp"

namespace bylaw::service {

class ClusterRouter : public runtime::EventHandoff, public io::RunOutput {
 public:
  // Makes the cluster's stream and buckets when they are missing (cluster_setup.hpp).
  ClusterRouter(const check::Policy& policy, NatsLink& link, const ClusterOptions& cluster,
                const StopFlag* stop);

  // EventHandoff: the event's ordinal (carried over the run's checkpoints) is its n.
  void evaluate(const runtime::EventPtr& event, std::uint64_t ordinal) override;

  // RunOutput, as the run's decisions channel: a router decides nothing; sync is the barrier.
  const std::string& name() const override { return name_; }
  bool can_cut() const override { return false; }
  std::uint64_t size() const override { return 0; }
  void cut_to(std::uint64_t) override {}
  void append(std::string_view bytes) override;
  void sync() override;

 private:
  runtime::Router router_;
  BatchPublisher publisher_;
  std::string prefix_;
  std::string name_;
  runtime::EventRoute route_;
  std::uint64_t handed_ = 0;  // n of the last event
  std::uint64_t ticked_ = 0;  // n of the last tick
  std::chrono::steady_clock::time_point next_tick_;
  Time last_time_;
};

}  // namespace bylaw::service
