// For bylaw's own command line, tests and benchmarks, not for users of the library: what these
// change is no part of a run's result, only of how it spends memory and time.
#pragma once

#include <cstddef>
#include <memory>

#include "bylaw/io/run_files.hpp"
#include "bylaw/io/stream_runner.hpp"

namespace bylaw::io::internal {

// Room made up front in the runner's set of used ids (ids, and their bytes in all); it grows by
// doubling past that. The allocation test sizes it so that the set does not grow while it counts.
void reserve_ids(StreamRunner& runner, std::size_t ids, std::size_t id_bytes);

// io::run_files for a process that exits when the run ends (`bylaw run`): the engine's state is
// left to the operating system rather than freed as millions of small objects one by one
// (seconds at 10M events).
RunCounts run_files_then_exit(const check::Policy& policy, const RunFiles& files,
                              const RunOptions& options, const RejectHandler& log_reject);

// Keeps `runner` until the process exits (reachable from a static, so leak checkers do not
// report it); a second one given replaces and frees the first.
void leave_to_exit(std::unique_ptr<StreamRunner> runner);

}  // namespace bylaw::io::internal
