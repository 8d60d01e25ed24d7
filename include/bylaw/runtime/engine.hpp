// The streaming evaluator. It is fed typed events in input order and emits decisions in the order
// they take effect. It never reads the wall clock: its clock is the largest event time accepted.
//
//   Engine engine(policy, options, sink);
//   if (engine.is_late(event->time)) reject(...); else engine.push(event);
//   ...
//   engine.finish();
#pragma once

#include <array>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/runtime/decision.hpp"
#include "bylaw/runtime/event.hpp"

namespace bylaw::runtime {

class DecisionSink {
 public:
  virtual ~DecisionSink() = default;
  virtual void on_decision(const Decision& decision) = 0;
  // The engine has no more use for `decision`: a sink that keeps it (to encode it on another
  // thread) takes it over instead of copying it. By default it is looked at as by on_decision.
  virtual void take_decision(Decision&& decision) { on_decision(decision); }
};

class ClauseObserver;  // observer.hpp

// Takes the events an engine has admitted, in the order it would evaluate them, instead of the
// engine evaluating them: a partitioned run's router (partitions.hpp) admits like one engine
// (lateness, its buffer) and hands the evaluation on.
class EventHandoff {
 public:
  virtual ~EventHandoff() = default;
  // `ordinal`: the how-many-th evaluated event this is (1, 2, ...), carried over checkpoints.
  virtual void evaluate(const EventPtr& event, std::uint64_t ordinal) = 0;
};

struct EngineOptions {
  // Events up to this much older than the clock are still evaluated, in time order; older ones
  // are late. With a lateness above zero, events wait in a buffer until nothing earlier can come.
  Duration max_lateness;
  // Per-key caps, so that one hostile key cannot take all memory (or all time: a window is
  // counted over on each event). A window keeps at most this many entries per key, and the
  // history at most this many decisions per subject: past the cap the oldest goes, which is
  // counted (EngineStats::capped) and logged once per rule or decision name.
  std::size_t max_entries_per_key = 1000;
  std::size_t max_decisions_per_subject = 1000;
  // When set, told which clauses each rule exercised (policy tests count them).
  ClauseObserver* observer = nullptr;
  // Whether decisions carry their explanation. Off (`run --explanations none`), no trace is
  // built at all: the evaluation then costs only what the answers need.
  bool traces = true;
  // When set, admitted events go there instead of being evaluated here (counted as evaluated).
  EventHandoff* handoff = nullptr;
};

struct EngineStats {
  std::uint64_t evaluated = 0;
  std::uint64_t timers_fired = 0;
  std::uint64_t holds = 0;
  std::uint64_t releases = 0;
  std::uint64_t alerts = 0;
  std::uint64_t eligibilities = 0;
  std::uint64_t shadow = 0;  // decisions rules in shadow mode would have made
  std::uint64_t capped = 0;  // window entries and remembered decisions dropped by a per-key cap

  // Every count, in one order: for checkpoints and differences, so none is forgotten.
  std::array<std::uint64_t*, 8> fields() {
    return {&evaluated, &timers_fired,  &holds,  &releases,
            &alerts,    &eligibilities, &shadow, &capped};
  }
  std::array<std::uint64_t, 8> values() const {
    return {evaluated, timers_fired, holds, releases, alerts, eligibilities, shadow, capped};
  }
};

// How much state the engine holds: it grows with active keys, not with the length of history.
struct StateSize {
  std::size_t aggregate_keys = 0;  // keys with events still in some window
  std::size_t aggregate_entries = 0;
  std::size_t correlation_keys = 0;  // latest-event indexes
  std::size_t history_subjects = 0;  // subjects with decisions kept for `earlier`
  std::size_t holds = 0;             // (subject, hold) pairs ever held
  std::size_t timers = 0;
  std::size_t buffered = 0;  // events waiting out the allowed lateness
};

// What a restore left behind because the policy changed since the save, in words.
struct RestoreReport {
  std::vector<std::string> dropped;
};

// The saved state cannot be used with this policy at all (its event schema changed).
class StateMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Engine {
 public:
  Engine(const check::Policy& policy, EngineOptions options, DecisionSink& sink);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Whether an event at `time` is older than the clock by more than the allowed lateness.
  bool is_late(Time time) const;
  // Accepts an event that is not late. It is evaluated now, or once nothing earlier can arrive.
  void push(EventPtr event);
  // Evaluates what is still buffered. Timers due after the last event do not fire.
  void finish();

  // Checkpoints: the whole state as bytes (replacing `out`), and back into a new engine. A
  // restore under a changed policy keeps what still fits it and reports the rest. Throws
  // StateMismatch when nothing can be kept, BadBytes when the bytes are damaged.
  void save(std::string& out) const;
  RestoreReport restore(std::string_view bytes);

  const EngineStats& stats() const;
  StateSize state_size() const;
  std::optional<Time> clock() const;

 private:
  friend class PartitionEngine;  // an engine for one partition's keys (partitions.hpp)
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bylaw::runtime
