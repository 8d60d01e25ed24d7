// Partitioned evaluation in one process (`run --partitions N`, docs/scaling.md): the router's
// routes, one PartitionEngine per partition, and the hops between them handed over in memory as
// the bytes a broker would carry. It gives the decisions one engine gives (in another order:
// a timer fires when its partition next sees the clock move), so a pack can be checked to
// partition cleanly, and the cost of partitioning measured, without a cluster.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/runtime/engine.hpp"
#include "bylaw/runtime/partitions.hpp"

namespace bylaw::io {

struct PartitionCounts {
  std::uint64_t hops = 0;                 // rules handed on to another partition
  std::vector<std::uint64_t> events;      // per partition: events with work there
  std::vector<runtime::StateSize> state;  // per partition, at the end
};

class PartitionedEvaluation : public runtime::EventHandoff {
 public:
  // Throws runtime::PartitionError when the pack cannot run partitioned.
  PartitionedEvaluation(const check::Policy& policy, const runtime::EngineOptions& options,
                        runtime::DecisionSink& sink, std::uint32_t partitions);
  ~PartitionedEvaluation() override;

  // One admitted event, through every partition its route passes.
  void evaluate(const runtime::EventPtr& event, std::uint64_t ordinal) override;
  // The end of the stream: timers due by the last event's time fire everywhere, as in one
  // engine.
  void finish(std::optional<Time> clock);

  // The partitions' counts added up (`evaluated` counts an event once per partition).
  runtime::EngineStats stats() const;
  runtime::StateSize state_size() const;
  PartitionCounts counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bylaw::io
