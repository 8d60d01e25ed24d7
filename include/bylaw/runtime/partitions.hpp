// Partitioned evaluation (docs/scaling.md): the state of a pack split by key over P partitions,
// each evaluated by its own PartitionEngine, with the same decisions, byte for byte, as one
// Engine over the whole stream.
//
// A Router tells, for each evaluated event, where each rule it sets off runs: the partitions of
// the rule's steps (plan/keys.hpp), worked out from the trigger. A rule starts at its first
// partition; when its evaluation reaches state under a key another partition owns, it stops and
// hands a Hop to the next partition of its route: everything it read so far. There the rule is
// evaluated again from its start, the reads it was handed replayed in their order, so the trace
// it builds is the one a single process builds. Writes (windows, holds, remembered decisions,
// timers) all happen at the last partition of a route.
//
// Each partition must see its work in the single process's order: (event time, input sequence),
// and within an event the rules in the plan's order. A partition that waits for a hop waits for
// a message from a partition that is at an earlier point of that order, so nothing deadlocks.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/runtime/engine.hpp"
#include "bylaw/runtime/event.hpp"

namespace bylaw::runtime {

// The pack has a rule partitioned evaluation cannot run (say which and why), or a run met state
// its route did not foresee.
class PartitionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The partition of a key (its encoding in state.hpp's append_key) among `partitions`:
// SipHash-1-3 under a key fixed for every deployment, since the router and every worker must
// agree (the hash tables inside each use the process's secret key, keyed_hash.hpp).
std::uint32_t partition_of(std::string_view encoded_key, std::uint32_t partitions);

// An event as the bytes a router sends a partition: its type, id, time, input sequence, line
// and every field. decode_event throws BadBytes (core/bytes.hpp) when they are damaged.
std::string encode_event(const Event& event);
EventPtr decode_event(std::string_view bytes);

// Where one evaluated event goes.
struct EventRoute {
  struct RuleRoute {
    std::uint32_t rule = 0;                 // in the policy, in the plan's order for the type
    std::vector<std::uint32_t> partitions;  // of its steps, consecutive repeats merged
  };
  std::vector<RuleRoute> rules;
  std::vector<std::uint32_t> indexes;  // partitions whose `latest` indexes keep the event
  // Every partition the event goes to, ascending.
  std::vector<std::uint32_t> partitions() const;
  // Its work at one partition: the rules whose route passes there, with the hop position.
  struct Work {
    std::uint32_t rule = 0;
    std::size_t hop = 0;  // 0: the rule starts here; n: it comes from partitions[n - 1]
    std::uint32_t from = 0;
    bool forwards = false;  // a partition follows this one on the route
    std::uint32_t to = 0;
  };
  std::vector<Work> work_at(std::uint32_t partition) const;
  bool indexed_at(std::uint32_t partition) const;
};

class Router {
 public:
  // Throws PartitionError when a rule of the pack cannot run partitioned: a step whose key
  // depends on a lookup's result, a write before the last step, a rule on a timer or on a
  // decision that needs more than one step, a `latest` filter that reads holds.
  Router(const check::Policy& policy, std::uint32_t partitions);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void route(const EventPtr& event, EventRoute& out);
  std::uint32_t partitions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a rule read at the partitions it passed, handed to the next one; `ended`: the rule
// finished before it needed the next partition (its `where` did not hold, say), and the next
// partitions only pass that on.
struct Hop {
  bool ended = false;
  std::string reads;  // bytes (hops.cpp)
};

class PartitionEngine {
 public:
  PartitionEngine(const check::Policy& policy, EngineOptions options, DecisionSink& sink,
                  std::uint32_t partition, std::uint32_t partitions);
  ~PartitionEngine();
  PartitionEngine(const PartitionEngine&) = delete;
  PartitionEngine& operator=(const PartitionEngine&) = delete;

  // An event's work here, in its order: begin (timers due by its time fire first), then each
  // rule of `route.work_at(partition)` in turn (`in`: the hop from the partition before, null
  // for a rule that starts here), then end (reactions left, the event into the `latest`
  // indexes this partition keeps). A rule's run returns the hop for the next partition of its
  // route when there is one.
  void begin(const EventPtr& event);
  Hop run(const EventRoute::Work& work, const Hop* in);
  void end(bool indexed);
  // The clock moved to `time` with no event here: timers due by then fire (and at the end of a
  // stream, up to its last event's time, as one Engine does).
  void advance(Time time);

  void save(std::string& out) const;
  RestoreReport restore(std::string_view bytes);
  const EngineStats& stats() const;
  StateSize state_size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bylaw::runtime
