#include "bylaw/service/metrics.hpp"

#include <fmt/format.h>

namespace bylaw::service {

namespace {

// A label value as Prometheus quotes it: backslash, quote and line end escaped.
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void Metrics::counted(const io::RunCounts& counts) {
  std::lock_guard lock(mutex_);
  runtime::StateSize state = counts_.state;
  counts_ = counts;
  counts_.state = state;  // the state's size comes with checkpoints only: it takes a pass
}

void Metrics::decided(const runtime::Decision& decision) {
  std::lock_guard lock(mutex_);
  ++decisions_[{std::string(check::decision_kind_name(decision.kind)), decision.rule}];
}

void Metrics::rejected(std::string_view reason) {
  std::lock_guard lock(mutex_);
  ++rejects_[std::string(reason)];
}

void Metrics::evaluated(double seconds) {
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  ++histogram_[bucket];
  evaluation_sum_ += seconds;
  ++evaluations_;
}

void Metrics::checkpointed(const io::RunCounts& counts) {
  std::lock_guard lock(mutex_);
  counts_ = counts;
  last_checkpoint_ = Clock::now();
  lines_at_checkpoint_ = counts.lines;
}

bool Metrics::waiting() const {
  std::lock_guard lock(mutex_);
  return counts_.lines > lines_at_checkpoint_;
}

void Metrics::policy(const check::Policy& policy) {
  std::lock_guard lock(mutex_);
  policy_name_ = policy.name;
  policy_version_ = policy.version;
  policy_hash_ = policy.hash;
}

double Metrics::checkpoint_age() const {
  std::lock_guard lock(mutex_);
  return std::chrono::duration<double>(Clock::now() - last_checkpoint_).count();
}

std::string Metrics::text() const {
  double age = checkpoint_age();
  std::lock_guard lock(mutex_);
  std::string out;
  header(out, "bylaw_events_total", "counter", "Input lines by outcome.");
  for (auto [outcome, n] : {std::pair{"evaluated", counts_.evaluated},
                            {"duplicate", counts_.duplicates},
                            {"skipped", counts_.skipped},
                            {"late", counts_.late},
                            {"rejected", counts_.rejected}}) {
    out += fmt::format("bylaw_events_total{{outcome=\"{}\"}} {}\n", outcome, n);
  }
  header(out, "bylaw_decisions_total", "counter", "Decisions made, by kind and rule.");
  for (const auto& [key, n] : decisions_) {
    out += fmt::format("bylaw_decisions_total{{kind=\"{}\",rule=\"{}\"}} {}\n", key.first,
                       label(key.second), n);
  }
  header(out, "bylaw_rejects_total", "counter", "Lines rejected, by reason.");
  for (const auto& [reason, n] : rejects_) {
    out += fmt::format("bylaw_rejects_total{{reason=\"{}\"}} {}\n", label(reason), n);
  }
  header(out, "bylaw_evaluation_seconds", "histogram", "Time to evaluate one input line.");
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += histogram_[b];
    out +=
        fmt::format("bylaw_evaluation_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[b], cumulative);
  }
  out += fmt::format("bylaw_evaluation_seconds_bucket{{le=\"+Inf\"}} {}\n", evaluations_);
  out += fmt::format("bylaw_evaluation_seconds_sum {}\nbylaw_evaluation_seconds_count {}\n",
                     evaluation_sum_, evaluations_);
  header(out, "bylaw_checkpoint_age_seconds", "gauge", "Seconds since the last checkpoint.");
  out += fmt::format("bylaw_checkpoint_age_seconds {:.3f}\n", age);
  header(out, "bylaw_input_lag", "gauge",
         "Input waiting to be read: bytes of a file or pipe, messages of a stream.");
  out += fmt::format("bylaw_input_lag {}\n", counts_.input_lag);
  header(out, "bylaw_state_entries", "gauge",
         "Entries of the engine's state, at the last checkpoint.");
  const runtime::StateSize& s = counts_.state;
  for (auto [kind, n] : {std::pair{"window_keys", s.aggregate_keys},
                         {"window_entries", s.aggregate_entries},
                         {"latest_keys", s.correlation_keys},
                         {"holds", s.holds},
                         {"timers", s.timers},
                         {"buffered", s.buffered}}) {
    out += fmt::format("bylaw_state_entries{{kind=\"{}\"}} {}\n", kind, n);
  }
  out += fmt::format("bylaw_state_entries{{kind=\"ids\"}} {}\n", counts_.ids_remembered);
  header(out, "bylaw_policy_info", "gauge", "The policy running: its name, version and hash.");
  out += fmt::format("bylaw_policy_info{{name=\"{}\",version=\"{}\",hash=\"{}\"}} 1\n",
                     label(policy_name_), label(policy_version_), policy_hash_);
  return out;
}

}  // namespace bylaw::service
