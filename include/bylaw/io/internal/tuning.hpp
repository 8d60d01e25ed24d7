// For bylaw's own command line, tests and benchmarks, not for users of the library: what these
// change is no part of a run's result, only of how it spends memory and time.
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>

#include "bylaw/io/stream_runner.hpp"

namespace bylaw::io::internal {

// Room made up front in the runner's set of used ids (ids, and their bytes in all); it grows by
// doubling past that. The allocation test sizes it so that the set does not grow while it counts.
void reserve_ids(StreamRunner& runner, std::size_t ids, std::size_t id_bytes);

// io::run_stream for a process that exits when the run ends (`bylaw run`): the engine's state is
// left to the operating system rather than freed as millions of small objects one by one
// (seconds at 10M events).
RunCounts run_stream_then_exit(const check::Policy& policy, std::istream& input,
                               std::ostream& decisions, const RejectHandler& on_reject,
                               const RunOptions& options);

}  // namespace bylaw::io::internal
