// Runs a policy over a JSON Lines stream: every line is accounted for as exactly one of
// evaluated, duplicate, skipped, late or rejected; decisions go out as JSON Lines.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>

#include "bylaw/check/policy.hpp"
#include "bylaw/runtime/engine.hpp"

namespace bylaw::io {

class AuditStore;

struct RunOptions {
  Duration max_lateness;
  AuditStore* store = nullptr;  // when set, every emitted decision is also stored
};

struct RunCounts {
  std::uint64_t lines = 0;
  std::uint64_t evaluated = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t skipped = 0;
  std::uint64_t late = 0;
  std::uint64_t rejected = 0;  // not counting late lines
  runtime::EngineStats engine;
  double seconds = 0;
};

// Receives each rejected line (reason `late` included).
using RejectHandler = std::function<void(std::uint64_t line, std::string_view reason,
                                         std::string_view detail, std::string_view input)>;

RunCounts run_stream(const check::Policy& policy, std::istream& input, std::ostream& decisions,
                     const RejectHandler& on_reject, const RunOptions& options);

// The end-of-run summary, as lines of text and as one JSON object.
std::string summary_text(const RunCounts& counts);
std::string summary_json(const RunCounts& counts);

}  // namespace bylaw::io
