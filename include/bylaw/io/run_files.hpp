// The files of a run, as the operator names them: where events come from and where decisions,
// rejects, shadow decisions and the summary go. "-" is standard input or standard output.
#pragma once

#include <string>

#include <memory>

#include "bylaw/check/policy.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/stream_runner.hpp"

namespace bylaw::io {

struct RunFiles {
  std::string input = "-";
  std::string output = "-";
  std::string rejects;        // empty: rejects go to the log
  std::string shadow_output;  // empty: not kept
  std::string summary_json;   // empty: not written (the caller writes it)
  std::string store;          // empty: no store (checked against the others only)
  std::string signing_key;    // empty: heads are not signed (a PEM Ed25519 private key)
};

// The operator conventions, checked before anything is read or written (RunRefused otherwise,
// naming the path and the system's reason): an input that is also an output, two outputs that
// are one file, more than one output on standard output, an output that cannot be written, a
// store that is also an input or an output.
void check_run_files(const RunFiles& files);

// Opens (creating) the run's store, signing heads with files.signing_key when one is named, and
// adds the policy's record; RunRefused naming the file and the reason when it cannot.
std::unique_ptr<AuditStore> open_run_store(const RunFiles& files, const check::Policy& policy);

// `bylaw run` without a store. Decisions are written as they are made: in large blocks from a
// regular file, and from a live input (a pipe, a socket, a terminal) each time the input has
// nothing more to give, so that a quiet input never holds back a decision already made. On a
// stop (options.stop), every line already read is evaluated and written, the lateness buffer
// included, before this returns. `log_reject` takes the rejects when files.rejects is empty.
RunCounts run_files(const check::Policy& policy, const RunFiles& files, const RunOptions& options,
                    const RejectHandler& log_reject);

}  // namespace bylaw::io
