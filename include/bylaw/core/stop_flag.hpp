// The flag a signal handler raises to ask a long-running command to stop (or to reload), read by
// the command's threads: the decoding thread, the broker's, the loop's. A `volatile
// std::sig_atomic_t` is safe to store from a handler but is a data race when another thread reads
// it; a lock-free std::atomic is safe for both.
#pragma once

#include <atomic>

namespace bylaw {

using StopFlag = std::atomic<int>;
static_assert(StopFlag::is_always_lock_free, "a signal handler stores to it");

}  // namespace bylaw
