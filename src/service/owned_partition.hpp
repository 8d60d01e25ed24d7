// A partition a worker holds (docs/scaling.md): its engine, the messages of its subject read in
// stream order and taken in the single engine's order, and the hops it hands on. An event is
// taken once the router's tick says every event up to it is published (so none before it can
// still come); a rule that needs a hop waits for it, and the partition with it; timers fire as
// the ticks move the clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "batch_publisher.hpp"
#include "bylaw/check/policy.hpp"
#include "bylaw/runtime/partitions.hpp"
#include "cluster_setup.hpp"
#include "partition_messages.hpp"
#include "partition_store.hpp"

namespace bylaw::service {

class OwnedPartition {
 public:
  // Resumes from `from` (none: from the start of the stream). io::RunRefused when the
  // partition's subject cannot be read.
  OwnedPartition(const check::Policy& policy, const runtime::EngineOptions& options,
                 runtime::DecisionSink& sink, runtime::Router& router, std::uint32_t partition,
                 NatsLink& link, const ClusterNames& names, BatchPublisher& hops,
                 const std::optional<PartitionCheckpoint>& from);
  ~OwnedPartition();
  OwnedPartition(const OwnedPartition&) = delete;
  OwnedPartition& operator=(const OwnedPartition&) = delete;

  // Reads up to `budget` messages that have arrived and does what they allow; whether anything
  // happened.
  bool pump(std::size_t budget);
  // What is done, for a checkpoint: none while an event is half done or when nothing changed
  // since the last one.
  std::optional<PartitionCheckpoint> checkpoint();
  // The checkpoint made was not stored: the next one must be made even with nothing new.
  void unsaved() { changed_ = true; }
  // Everything done is in a stored checkpoint.
  bool checkpoint_stored() const { return !changed_ && !current_; }
  // To be given up: the event under way is finished, and no other is started.
  void drain() { draining_ = true; }
  bool drained() const { return draining_ && !current_; }
  // Work is held (events or hops read, or an event under way) and none was done (an event
  // finished, the clock moved) since `since`: what it waits for, in words, for the worker's
  // warning; else nothing.
  std::optional<std::string> stuck_since(std::chrono::steady_clock::time_point since) const;
  // Held work, and nothing done nor read again since `since`: reads the subject again through
  // a new consumer, from the message after the last one read, and returns that sequence. (A
  // consumer placed on a replica that lags delivers nothing new: seen when a restarted node's
  // catch-up stalled with nats-server 2.9. The server may place a new one elsewhere.)
  std::optional<std::uint64_t> read_again_if_stuck_since(
      std::chrono::steady_clock::time_point since);

 private:
  template <class T>
  struct Held {
    std::uint64_t sequence;  // in the stream, for where to resume
    T value;
  };
  using HopKey = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>;  // n, rule, step
  struct Current {
    std::uint64_t n;
    runtime::EventPtr event;
    std::vector<runtime::EventRoute::Work> work;
    bool indexed;
    std::size_t next = 0;
  };

  void subscribe(std::uint64_t from_sequence);
  void unsubscribe();
  void take(natsMsg* msg);
  bool progress();
  bool start_next();
  bool run_current();

  runtime::PartitionEngine engine_;
  runtime::Router& router_;
  std::uint32_t partition_;
  const ClusterNames& names_;
  NatsLink& link_;
  BatchPublisher& hops_out_;
  natsSubscription* subscription_ = nullptr;
  std::map<std::uint64_t, Held<runtime::EventPtr>> events_;  // by n
  std::map<HopKey, Held<runtime::Hop>> hops_;
  std::optional<Current> current_;
  runtime::EventRoute route_;  // scratch
  std::uint64_t done_ = 0;     // n of the last event done
  std::uint64_t ticked_ = 0;   // n of the last tick
  Time tick_time_;
  std::uint64_t tick_sequence_ = 0;  // in the stream
  std::uint64_t advanced_ = 0;       // the tick timers were fired for, and its time
  Time advanced_time_;
  std::uint64_t last_sequence_ = 0;
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point subscribed_at_ = std::chrono::steady_clock::now();
  bool changed_ = false;  // since the last checkpoint
  bool draining_ = false;
};

}  // namespace bylaw::service
