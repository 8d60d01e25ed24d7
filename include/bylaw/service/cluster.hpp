// Scaling out over NATS JetStream (docs/scaling.md): `bylaw serve --role router` admits the
// events and sends each to the partitions of its keys; `bylaw serve --role worker` holds
// partitions by lease, evaluates them, hands hops on, checkpoints them into JetStream and
// publishes decisions exactly as one `bylaw serve` would.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/stream_runner.hpp"

namespace bylaw::service {

struct ClusterOptions {
  std::string prefix = "bylaw";  // --cluster: subjects <prefix>.p.<n>, buckets <prefix>_...
  std::uint32_t partitions = 8;
  int replicas = 1;  // of the partitions stream and the buckets, when this member makes them
};

struct WorkerOptions {
  std::string url;
  ClusterOptions cluster;
  std::string decisions_prefix = "bylaw.decisions";
  std::string worker_id;  // empty: host name and process id
  std::chrono::milliseconds lease_time{10000};
  std::chrono::milliseconds checkpoint_interval{200};
  io::RunOptions run;  // caps, explanations
  const StopFlag* stop = nullptr;
};

// Works until stopped, then checkpoints and gives its partitions up. io::RunRefused when it
// cannot start (no broker, a pack that cannot be partitioned, no decisions stream).
void run_worker(const check::Policy& policy, const WorkerOptions& options);

}  // namespace bylaw::service
