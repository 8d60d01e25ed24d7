#include "bylaw/io/partitioned_evaluation.hpp"

#include <map>
#include <utility>

namespace bylaw::io {

struct PartitionedEvaluation::Impl {
  runtime::Router router;
  std::vector<std::unique_ptr<runtime::PartitionEngine>> engines;
  PartitionCounts counts;

  Impl(const check::Policy& policy, const runtime::EngineOptions& options,
       runtime::DecisionSink& sink, std::uint32_t partitions)
      : router(policy, partitions) {
    for (std::uint32_t p = 0; p < router.partitions(); ++p) {
      engines.push_back(std::make_unique<runtime::PartitionEngine>(policy, options, sink, p,
                                                                   router.partitions()));
    }
    counts.events.assign(router.partitions(), 0);
  }

  struct Progress {
    std::uint32_t partition;
    std::vector<runtime::EventRoute::Work> work;
    std::size_t done = 0;
  };
  // Scratch, kept from event to event.
  runtime::EventRoute route;
  std::vector<Progress> parts;
  std::map<std::pair<std::uint32_t, std::size_t>, runtime::Hop> hops;  // (rule, hop) -> hop

  // Each partition runs its work in order; one that needs a hop not made yet waits, and the
  // others go on. Hops go from a partition at an earlier point of the order, so some partition
  // can always go on until every one is done.
  void run_event(const runtime::EventPtr& event) {
    parts.clear();
    hops.clear();
    for (std::uint32_t p : route.partitions()) {
      parts.push_back({p, route.work_at(p)});
      engines[p]->begin(event);
      ++counts.events[p];
    }
    for (bool waiting = true; waiting;) {
      waiting = false;
      bool moved = false;
      for (auto& part : parts) {
        for (; part.done < part.work.size(); ++part.done) {
          const auto& w = part.work[part.done];
          const runtime::Hop* in = nullptr;
          if (w.hop > 0) {
            auto it = hops.find({w.rule, w.hop});
            if (it == hops.end()) break;
            in = &it->second;
          }
          runtime::Hop out = engines[part.partition]->run(w, in);
          if (w.forwards) {
            if (!out.ended) ++counts.hops;
            hops[{w.rule, w.hop + 1}] = std::move(out);
          }
          moved = true;
        }
        waiting = waiting || part.done < part.work.size();
      }
      if (waiting && !moved) {
        throw runtime::PartitionError("partitions wait for each other's hops: a route is cyclic");
      }
    }
    for (const auto& part : parts) engines[part.partition]->end(route.indexed_at(part.partition));
  }
};

PartitionedEvaluation::PartitionedEvaluation(const check::Policy& policy,
                                             const runtime::EngineOptions& options,
                                             runtime::DecisionSink& sink, std::uint32_t partitions)
    : impl_(std::make_unique<Impl>(policy, options, sink, partitions)) {}

PartitionedEvaluation::~PartitionedEvaluation() = default;

void PartitionedEvaluation::evaluate(const runtime::EventPtr& event, std::uint64_t) {
  impl_->router.route(event, impl_->route);
  impl_->run_event(event);
}

void PartitionedEvaluation::finish(std::optional<Time> clock) {
  if (!clock) return;
  for (auto& engine : impl_->engines) engine->advance(*clock);
}

runtime::EngineStats PartitionedEvaluation::stats() const {
  runtime::EngineStats sum;
  for (const auto& engine : impl_->engines) {
    auto values = engine->stats().values();
    auto fields = sum.fields();
    for (std::size_t i = 0; i < fields.size(); ++i) *fields[i] += values[i];
  }
  return sum;
}

runtime::StateSize PartitionedEvaluation::state_size() const {
  runtime::StateSize sum;
  for (const auto& engine : impl_->engines) {
    runtime::StateSize s = engine->state_size();
    sum.aggregate_keys += s.aggregate_keys;
    sum.aggregate_entries += s.aggregate_entries;
    sum.correlation_keys += s.correlation_keys;
    sum.history_subjects += s.history_subjects;
    sum.holds += s.holds;
    sum.timers += s.timers;
  }
  return sum;
}

PartitionCounts PartitionedEvaluation::counts() const {
  PartitionCounts out = impl_->counts;
  for (const auto& engine : impl_->engines) out.state.push_back(engine->state_size());
  return out;
}

}  // namespace bylaw::io
