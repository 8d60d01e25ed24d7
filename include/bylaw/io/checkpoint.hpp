// A checkpoint of `bylaw run --store`: everything a rerun of the same command needs to go on
// from here and end with the same output as a run that never stopped. Kept in the audit store,
// one row, replaced in the same transaction as the audit records of its decisions.
#pragma once

#include <cstdint>
#include <string>

namespace bylaw::io {

// One output of the run as the checkpoint committed it: its length with this checkpoint's own
// bytes included, and those bytes, which reach the output only after the commit.
struct CommittedOutput {
  std::uint64_t length = 0;
  std::string pending;
};

struct Checkpoint {
  std::string policy_hash;  // the pack the state was made under
  std::string policy_name;  // name@version, for messages
  // Where the input was: bytes consumed, and the last line (its start and a SHA-256 of its
  // bytes), to tell on resume that the input is the same one.
  std::uint64_t input_offset = 0;
  std::uint64_t last_line_start = 0;
  std::string last_line_hash;
  CommittedOutput decisions;
  CommittedOutput rejects;
  CommittedOutput shadow;  // --shadow-output
  // Whether the pending bytes reached an output that cannot be cut back (standard output).
  bool delivered = false;
  bool finished = false;   // the input's end was reached and the lateness buffer emptied
  std::string state;       // StreamRunner::save
  std::string state_hash;  // SHA-256 of `state`: damage is found before anything is restored
};

}  // namespace bylaw::io
