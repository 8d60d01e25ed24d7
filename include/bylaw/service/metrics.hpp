// What `bylaw serve` reports at /metrics, in Prometheus's text format. Written by the run's
// thread, read by the HTTP server's: every figure is an atomic or behind a lock.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "bylaw/check/policy.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "bylaw/runtime/decision.hpp"

namespace bylaw::service {

class Metrics {
 public:
  // Upper bounds of the evaluation-time histogram, in seconds.
  static constexpr std::array<double, 9> kBuckets = {1e-6, 5e-6, 1e-5, 5e-5, 1e-4,
                                                     5e-4, 1e-3, 1e-2, 1e-1};

  void counted(const io::RunCounts& counts);  // lines by outcome, input lag
  void decided(const runtime::Decision& decision);
  void rejected(std::string_view reason);
  void evaluated(double seconds);
  void checkpointed(const io::RunCounts& counts);  // the state's size, the checkpoint's time
  void policy(const check::Policy& policy);

  // Seconds since the last checkpoint (since the start before the first).
  double checkpoint_age() const;
  // Whether lines were read since the last checkpoint.
  bool waiting() const;
  std::string text() const;

 private:
  using Clock = std::chrono::steady_clock;
  mutable std::mutex mutex_;
  io::RunCounts counts_;  // lines by outcome, state, lag
  std::map<std::pair<std::string, std::string>, std::uint64_t> decisions_;  // (kind, rule)
  std::map<std::string, std::uint64_t> rejects_;                            // by reason
  std::array<std::uint64_t, kBuckets.size() + 1> histogram_{};              // last: +Inf
  double evaluation_sum_ = 0;
  std::uint64_t evaluations_ = 0;
  Clock::time_point last_checkpoint_ = Clock::now();
  std::uint64_t lines_at_checkpoint_ = 0;
  std::string policy_name_, policy_version_, policy_hash_;
};

}  // namespace bylaw::service
