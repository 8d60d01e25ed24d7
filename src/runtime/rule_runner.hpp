// Runs one rule on one event: guards, exclusions, aggregates, conditions, then the actions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bylaw/runtime/engine.hpp"
#include "evaluator.hpp"
#include "state.hpp"

namespace bylaw::runtime {

// Scratch space for count distinct: each counted value's key, and a hash table of them. One
// pass over the window instead of a sort keeps a window at its per-key cap (a thousand entries)
// cheap enough to count on every event.
struct DistinctScratch {
  std::vector<std::string> keys;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> table;  // (hash, index into keys)
};

// Everything the engine changes as it goes.
struct EngineState {
  Holds holds;
  Schedules schedules;
  History history;
  std::vector<std::vector<CorrelationIndex>> correlations;  // [rule][correlation]
  std::vector<std::vector<AggregateWindow>> aggregates;     // [rule][aggregate]
  TimerQueue timers;
  std::uint64_t timer_order = 0;
  EngineStats stats;
  std::size_t max_entries_per_key;
  std::size_t max_decisions_per_subject;
  bool traces;  // EngineOptions::traces
  // Whether a cap was already logged, per rule and aggregate, and per history need: once is
  // enough to tell an operator, a million times would bury the log.
  std::vector<std::vector<bool>> window_cap_logged;
  std::vector<bool> history_cap_logged;

  EngineState(const check::Policy& policy, const plan::Plan& plan, const EngineOptions& options);
};

// What an aggregate saw for this event: its window under this key, and (when a rule fires and a
// trace is built) which entries counted and which were left out.
struct AggregateView {
  const AggregateEntries* entries = nullptr;
  // The window's key the entries belong to, for what it keeps counted; null for a view made up
  // for a trace (a margin's "without").
  const WindowKey* window_key = nullptr;
  std::string key;  // the key's encoding (append_key)
  Value key_value;  // for traces
  Time lower;
  std::optional<Time> after;
};

// A rule that fired, while its actions run: the trace is built the first time a decision needs
// it, before the rule's first change to state, and values are recorded only from then on, so a
// firing that emits nothing (a hold already placed, a postponement) records nothing.
struct Firing {
  Frame& frame;
  const std::vector<AggregateView>& views;
  bool timer;  // the event is the engine's timer record: decisions have no trigger
  Recorder recorder;
  std::optional<Trace> trace;

  const Trace& explained();
  // The event that caused what this firing decides: the trigger, or for a rule on decision the
  // decision's own trigger; none when a timer did.
  std::optional<std::string> trigger() const;
};

// A decision an action makes, with the evidence and message that go with it (an eligibility's
// are its chosen branch's).
struct Emission {
  Decision decision;
  const std::vector<check::EvidenceRef>* evidence;
  const check::Message* message;
};

class RuleRunner {
 public:
  RuleRunner(const check::Policy& policy, const plan::Plan& plan, EngineState& state,
             DecisionSink& sink, ClauseObserver* observer);

  // `timer`: the event is the engine's timer record; its decisions have no trigger.
  void run(std::uint32_t rule_index, const EventPtr& event, bool timer);
  // A rule on decision: runs once for each decision it reacts to made so far in this step.
  void react(std::uint32_t rule_index, bool timer);
  // The step (an event, a timer) is over: the decisions it made set nothing more off.
  void end_step() { made_.clear(); }
  // expiry.cpp: the expiry timer of an active hold came due: releases it.
  void expire(const Timer& timer);
  // Partitioned evaluation: every rule's reads and writes of keyed state pass the gate.
  void set_gate(HopGate* gate) { gate_ = gate; }

 private:
  // actions.cpp: the rule's actions, one function per kind, each returning what it emits.
  void fire(Firing& firing);
  void check_writes(Frame& frame);
  std::optional<Emission> act(Firing& firing, std::size_t action, const std::string& subject,
                              const std::string& name);
  Emission emission(Firing& firing, std::size_t action, const std::string& subject,
                    const std::string& name, check::DecisionKind kind);
  std::optional<Emission> place_hold(Firing& firing, std::size_t action, const std::string& subject,
                                     const std::string& name);
  std::optional<Emission> release_hold(Firing& firing, std::size_t action,
                                       const std::string& subject, const std::string& name);
  std::optional<Emission> raise_alert(Firing& firing, std::size_t action,
                                      const std::string& subject, const std::string& name);
  std::optional<Emission> answer_eligibility(Firing& firing, std::size_t action,
                                             const std::string& subject, const std::string& name);
  void postpone_appeal(Firing& firing, std::size_t action, const std::string& subject,
                       const std::string& name);
  void schedule_timer(Firing& firing, std::size_t action, const std::string& subject,
                      const std::string& name);
  void cancel_timer(Firing& firing, std::size_t action, const std::string& subject,
                    const std::string& name);
  void record_history();
  void emit(Decision decision);

  const check::Policy& policy_;
  const plan::Plan& plan_;
  EngineState& state_;
  DecisionSink& sink_;
  ClauseObserver* observer_;  // null but in policy tests
  HopGate* gate_ = nullptr;   // null but in a partitioned run
  // Per rule, reused from event to event: its lets and its aggregate views.
  std::vector<std::vector<LetValue>> lets_;
  std::vector<std::vector<AggregateView>> views_;
  DistinctScratch distinct_scratch_;
  std::string reads_scratch_;
  // Decisions this firing made that `earlier` asks about, added to the history when the firing
  // ends: its lets point into the history, and adding to it could move what they point at.
  struct Recorded {
    std::size_t need;  // index into the plan's histories
    std::string subject;
    DecisionRecord record;
  };
  std::vector<Recorded> recorded_;
  // This step's decisions that rules react to, as records of their reaction types.
  std::vector<EventPtr> made_;
};

// The counted entries (in time order) and the left-out ones, with why, for one aggregate.
struct AggregateLists {
  std::vector<const AggregateEntry*> counted;
  std::vector<std::pair<const AggregateEntry*, std::string>> left_out;
};
AggregateLists list_aggregate(const AggregateView& view);
// An entry's `reads`: the fields of `event` whose slots are set in `mask` (state.hpp).
void pack_reads(const Event& event, std::uint64_t mask, std::string& out);
// The aggregate's value over its window: count, count distinct, or sum. `distinct` is scratch
// space for count distinct, kept by the caller so that counting allocates nothing once warm.
Value aggregate_value(const check::Aggregate& aggregate, const AggregateView& view,
                      DistinctScratch& distinct);

// A decision's id: deterministic from the policy, the rule and action that made it, what caused
// it (an event, a timer) and its subject.
std::string decision_id(const check::Policy& policy, const std::string& rule, std::size_t action,
                        const std::string& cause, const std::string& subject);

// The explanation of a firing rule, from the values its evaluation recorded.
Trace build_trace(Frame& frame, const std::vector<AggregateView>& views);
ExprTrace trace_expr(const check::TExpr& expr, const Recorder& recorder);
// The message with its placeholders filled in.
std::string render_message(const check::Message& message, Frame& frame);

}  // namespace bylaw::runtime
