// Runs a policy over a JSON Lines stream: every line is accounted for as exactly one of
// evaluated, duplicate, skipped, late or rejected; decisions go out as JSON Lines.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/event_decoder.hpp"
#include "bylaw/io/partitioned_evaluation.hpp"
#include "bylaw/runtime/engine.hpp"

namespace bylaw::io {

class AuditStore;

struct RunOptions {
  Duration max_lateness;
  AuditStore* store = nullptr;  // when set, every emitted decision is also stored
  // Ids of events this much older than the clock are forgotten (at the latest 1.5 times this
  // after): a re-sent event that old is then late rather than a duplicate. Never less than
  // max_lateness, so that an event young enough to be evaluated is always checked for being a
  // duplicate.
  Duration dedup_horizon = Duration{0, 30LL * 24 * 3600 * 1000 * 1000};
  // Per-key caps of the engine (runtime::EngineOptions): window entries per key and remembered
  // decisions per subject.
  std::size_t max_per_key = 1000;
  // Where decisions of rules in shadow mode go (marked "shadow":true); null: nowhere.
  std::ostream* shadow_output = nullptr;
  // Duplicates and skipped (undeclared) lines are also handed to the reject handler, with the
  // reasons `duplicate` and `skipped` (--rejects-include); the counts keep them apart.
  bool report_duplicates = false;
  bool report_skipped = false;
  // Policy tests: told which clauses evaluation exercised (runtime::EngineOptions).
  runtime::ClauseObserver* observer = nullptr;
  // Set (by a signal handler) to stop after the current line, leaving the lateness buffer as
  // it is. Null: run to the end of the input.
  const StopFlag* stop = nullptr;
  // Threads for a run from a regular file without a store (run_files): with 2 or more, lines are
  // decoded on a thread of their own ahead of evaluation (DecodeAhead). Evaluation stays on one
  // thread, in input order, so the output is the same for any number.
  unsigned threads = 1;
  // Where explanations go (`run --explanations`); in_store needs a store.
  Explanations explanations = Explanations::inline_trace;
  // `run --partitions N` (no store): the state split over N partitions in this process
  // (partitioned_evaluation.hpp), with the same decisions; 0: one engine.
  std::uint32_t partitions = 0;
  // When set, admitted events are handed there instead of being evaluated (the cluster's
  // router, service/cluster_router.hpp).
  runtime::EventHandoff* handoff = nullptr;
};

// The engine's part of the run's options: lateness, per-key caps, the observer, traces.
runtime::EngineOptions engine_options(const RunOptions& options);

struct RunCounts {
  std::uint64_t lines = 0;
  std::uint64_t evaluated = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t skipped = 0;
  std::uint64_t late = 0;
  std::uint64_t rejected = 0;  // not counting late lines
  runtime::EngineStats engine;
  double seconds = 0;
  // What the run holds at its end: it grows with active keys, within the per-key caps.
  runtime::StateSize state;
  std::uint64_t ids_remembered = 0;
  std::uint64_t peak_rss_kb = 0;  // of the process, when the caller measures it (0: not)
  bool stopped = false;           // by RunOptions::stop, before the end of the input
  std::uint64_t input_lag = 0;    // bytes of input waiting to be read, where that is known
  // A partitioned run: hops and, per partition, its events and state.
  std::optional<PartitionCounts> partitioned;
};

// Receives each rejected line (reason `late` included).
using RejectHandler = std::function<void(std::uint64_t line, std::string_view reason,
                                         std::string_view detail, std::string_view input)>;

class StreamRunner;
namespace internal {
void reserve_ids(StreamRunner& runner, std::size_t ids, std::size_t id_bytes);  // tuning.hpp
}

// The line-by-line core of `run`: decode, deduplicate, apply lateness, evaluate. Decisions go to
// `sink` as they take effect.
class StreamRunner {
 public:
  StreamRunner(const check::Policy& policy, runtime::DecisionSink& sink, RejectHandler on_reject,
               const RunOptions& options);
  ~StreamRunner();
  StreamRunner(const StreamRunner&) = delete;
  StreamRunner& operator=(const StreamRunner&) = delete;

  // One input line, without its line end.
  void line(std::string_view text);
  // The same, decoded already by an EventDecoder's decode_ahead (on another thread) for line
  // number lines_so_far() + 1.
  void decoded_line(std::string_view text, DecodedLine decoded);
  std::uint64_t lines_so_far() const;
  // Evaluates what the lateness buffer still holds.
  void finish();

  // A new input begins, the state carrying on from the last (a store's next day): lines and
  // counts start again from zero, the engine's state does not.
  void begin_input();
  // Counts so far (`seconds` is left to the caller); `with_state`: also the state's size, which
  // takes a pass over every window.
  RunCounts counts(bool with_state = true) const;
  // Checkpoints: everything the run needs to go on (the engine, the used ids, the counts) as
  // bytes, and back into a new runner. See runtime::Engine::restore for a changed policy.
  void save(std::string& out) const;
  runtime::RestoreReport restore(std::string_view bytes);

 private:
  friend void internal::reserve_ids(StreamRunner&, std::size_t, std::size_t);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

RunCounts run_stream(const check::Policy& policy, std::istream& input, std::ostream& decisions,
                     const RejectHandler& on_reject, const RunOptions& options);

// The end-of-run summary, as lines of text and as one JSON object.
std::string summary_text(const RunCounts& counts);
std::string summary_json(const RunCounts& counts);

}  // namespace bylaw::io
