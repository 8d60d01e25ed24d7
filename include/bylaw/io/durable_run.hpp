// `bylaw run --store`: a run that checkpoints, and a rerun of the same command that resumes.
// The state a finished run leaves in the store is where the next run, over a new input, begins:
// day1, day2 and day3 through one store make what one run over the three would make.
//
// Every `checkpoint_every` lines, and at the end, the whole run state, the input position and
// the decisions and rejects made since the last checkpoint are saved in one transaction of the
// store, together with the audit records of those decisions. Only then do the decisions reach
// the outputs. A rerun finds the last checkpoint, restores the state, cuts a file output back to
// the length committed before that checkpoint's own decisions, writes those again and goes on
// from the input position: the output ends byte for byte as if the run had never stopped.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/checkpoint.hpp"
#include "bylaw/io/line_source.hpp"
#include "bylaw/io/run_output.hpp"
#include "bylaw/io/stream_runner.hpp"

namespace bylaw::io {

// What a long-running caller (bylaw serve) is told as the run goes, and how it steers it.
struct RunObserver {
  virtual ~RunObserver() = default;
  // Between lines (every few hundred) and while a live input is quiet, with the counts so far
  // (without the state's size). A policy returned here replaces the running one: the run
  // checkpoints, carries its state over as --allow-policy-change does, and goes on under it.
  virtual const check::Policy* tick(const RunCounts& counts) = 0;
  virtual void decided(const runtime::Decision& decision) = 0;
  virtual void rejected(std::string_view reason) = 0;
  // How long evaluating one line took.
  virtual void evaluated(double seconds) = 0;
  // A checkpoint committed; `counts` with the state's size.
  virtual void checkpointed(const Checkpoint& checkpoint, const RunCounts& counts) = 0;
  // The policy changed (by tick): what its state left behind.
  virtual void swapped(const check::Policy& policy, const std::vector<std::string>& dropped) = 0;
  // The policy from tick could not take the state over (its event schema changed): the running
  // one goes on.
  virtual void swap_refused(const std::string& why) = 0;
};

struct DurableRunOptions {
  RunOptions run;             // lateness, dedup horizon
  std::string input = "-";    // a path, or "-" for standard input
  std::string output = "-";   // a path, or "-" for standard output
  std::string rejects;        // a path; empty: rejects go to `log_reject`
  std::string shadow_output;  // a path for shadow rules' decisions; empty: not kept
  // The caller's own input and outputs (a broker), used instead of `input`, `output` and
  // `rejects` when set.
  LineSource* source = nullptr;
  RunOutput* decisions_to = nullptr;
  RunOutput* rejects_to = nullptr;
  RejectHandler log_reject;
  std::uint64_t checkpoint_every = 100000;  // input lines
  // A live input (a pipe, a socket: not a regular file) is also checkpointed this long after the
  // last checkpoint when something waits to go out, even while the input is quiet.
  std::chrono::milliseconds checkpoint_interval{200};
  bool allow_policy_change = false;
  bool restart = false;  // drop an unfinished checkpoint and start from the beginning
  // Told at once when the run resumes, and what a policy change left behind.
  std::function<void(const std::string&)> notice;
  // Set (by a signal handler) to stop after the current line with a checkpoint.
  const StopFlag* stop = nullptr;
  RunObserver* observer = nullptr;  // bylaw serve
};

struct DurableRunResult {
  RunCounts counts;
  bool resumed = false;     // the same input, after a crash or a stop
  bool carried_on = false;  // a new input, from the state a finished run left
  std::uint64_t resumed_at_line = 0;
  bool stopped = false;  // by `stop`, before the end of the input
  std::uint64_t checkpoints = 0;
  std::vector<std::string> dropped;  // state left behind by a policy change
};

// The run cannot start or resume as asked; the message says why and what to do.
class RunRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

DurableRunResult run_durable(const check::Policy& policy, AuditStore& store,
                             const DurableRunOptions& options);

}  // namespace bylaw::io
