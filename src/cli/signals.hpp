// SIGTERM and SIGINT ask a long-running command to stop: it finishes what it has read, writes
// and checkpoints it, and exits 0.
#pragma once

#include <csignal>

#include "bylaw/core/stop_flag.hpp"

namespace bylaw::cli {

// Installs the handlers (without SA_RESTART, so that a read waiting on a pipe is interrupted)
// and returns the flag they set.
const StopFlag* install_stop_handlers();

}  // namespace bylaw::cli
