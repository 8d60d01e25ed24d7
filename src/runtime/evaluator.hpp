// Evaluates typed expressions against one event, the rule's lets and the engine's state.
#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/runtime/event.hpp"
#include "bylaw/runtime/observer.hpp"
#include "state.hpp"

namespace bylaw::runtime {

// What a rule's evaluation reads from the engine (state as it stands before the rule acts).
struct StateView {
  const Holds& holds;
  const History& history;
  const std::vector<std::vector<CorrelationIndex>>& correlations;  // [rule][correlation]
  const plan::Plan& plan;
};

class HopGate;  // hops.hpp

struct LetValue {
  bool ready = false;
  Value value;                                   // value and aggregate lets
  const Event* record = nullptr;                 // `latest` lets: null when none was found
  std::string key;                               // `latest` lets: the key looked up
  UnpackedEvent found;                           // `latest` lets: where `record` points
  std::vector<const DecisionRecord*> decisions;  // `earlier` lets
};

// When set on a frame, every value computed is kept, so a trace can show it.
struct Recorder {
  std::unordered_map<const check::TExpr*, Value> values;
};

struct Frame {
  const check::Policy& policy;
  const check::Rule& rule;
  std::uint32_t rule_index = 0;
  const StateView& state;
  const Event* event = nullptr;      // the trigger
  const Event* candidate = nullptr;  // while testing a `latest` filter
  Time now;
  // The rule's lets, in scratch space the caller keeps from one evaluation to the next, so
  // evaluating a rule allocates nothing for them once warm.
  std::vector<LetValue>& lets;
  Recorder* recorder = nullptr;
  ClauseObserver* observer = nullptr;  // `bylaw test --coverage` only
  // When set, each field of the trigger that is read sets its slot's bit: the fields a rule's
  // `where` and `exclude` read from a candidate, shown with it in traces.
  std::uint64_t* trigger_reads = nullptr;
  // Partitioned evaluation only: every read of keyed state passes it (hops.hpp).
  HopGate* gate = nullptr;

  Frame(const check::Policy& p, const check::Rule& r, std::uint32_t index, const StateView& s,
        const Event* e, Time t, std::vector<LetValue>& scratch)
      : policy(p), rule(r), rule_index(index), state(s), event(e), now(t), lets(scratch) {
    lets.resize(r.lets.size());
    for (auto& slot : lets) {
      slot.ready = false;
      slot.record = nullptr;
      slot.decisions.clear();
    }
  }
};

Value evaluate(const check::TExpr& expr, Frame& frame);
// The same without a copy: a reference to where the value already lives (a literal, a parameter,
// a field, a let), or to `scratch` holding what was computed. Valid while those are.
const Value& evaluate_ref(const check::TExpr& expr, Frame& frame, Value& scratch);
// A condition: true only for the boolean true (absent is false).
bool is_true(const check::TExpr& expr, Frame& frame);
// The event a record-typed expression stands for, or null when it is absent.
const Event* evaluate_record(const check::TExpr& expr, Frame& frame);
// A let's value, computed on first use.
LetValue& let_value(Frame& frame, std::uint32_t index);

// The key of a `latest` lookup from its probes, into `key`; false when a probe is absent.
bool correlation_key(const check::Correlation& correlation, Frame& frame, std::string& key);

}  // namespace bylaw::runtime
