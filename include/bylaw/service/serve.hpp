// `bylaw serve`: `bylaw run --store` that does not end. It reads a file, a pipe or a NATS
// JetStream stream, writes decisions as they are made to a file, a pipe or JetStream (exactly
// once, through checkpoints in the store), serves HTTP
// (health, readiness, metrics, the read-only API), and reloads its policy when asked (SIGHUP).
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/run_files.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "bylaw/service/cluster.hpp"
#include "bylaw/service/http_api.hpp"

namespace bylaw::service {

// --nats: events from a JetStream stream, decisions and rejects to JetStream subjects.
struct BrokerOptions {
  std::string url;  // empty: no broker (files and pipes)
  std::string events_stream;
  std::string events_subject;  // empty: all the stream's subjects
  std::string consumer = "bylaw";
  std::string decisions_prefix = "bylaw.decisions";  // a decision goes to PREFIX.<kind>
  std::string rejects_subject = "bylaw.rejects";
};

struct ServeOptions {
  std::string policy_path;  // reread on reload
  io::RunFiles files;       // input, output, rejects, store (required)
  BrokerOptions broker;     // instead of files.input, files.output and files.rejects
  io::RunOptions run;       // lateness, horizon, caps
  std::uint64_t checkpoint_every = 100000;
  std::chrono::milliseconds checkpoint_interval{200};
  bool restart = false;  // start from empty state (the audit chain is kept)
  bool serve_http = false;
  HttpOptions http;
  // Set by signal handlers: stop (SIGTERM, SIGINT), reload the policy (SIGHUP).
  const StopFlag* stop = nullptr;
  StopFlag* reload = nullptr;
  // Told the port HTTP listens on, once it does.
  std::function<void(int port)> listening;
  // `--role router`: admit the events and send them to a cluster's partitions instead of
  // evaluating them (cluster.hpp); needs the broker.
  std::optional<ClusterOptions> router;
};

// Serves until stopped; the input's end does not end it (the API and metrics stay up). Returns
// the counts of the input read. Throws io::RunRefused when it cannot start.
io::RunCounts serve(const check::Policy& policy, const ServeOptions& options);

}  // namespace bylaw::service
