#include "bylaw/io/stream_runner.hpp"
#include "bylaw/io/internal/tuning.hpp"

#include <chrono>
#include <memory>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/core/bytes.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/event_decoder.hpp"
#include "bylaw/io/internal/id_set.hpp"
#include "bylaw/io/line_reader.hpp"

namespace bylaw::io {

namespace {

// Decisions go out through one buffer, written in large blocks: an ostream writes every line of
// 1 KiB or more (most decisions, with their traces) with a system call of its own.
class StreamWriter : public runtime::DecisionSink {
 public:
  StreamWriter(std::ostream& out, AuditStore* store, std::ostream* shadow)
      : out_(out), store_(store), shadow_(shadow) {
    buffer_.reserve(kBlock + 64 * 1024);
  }
  void on_decision(const runtime::Decision& decision) override {
    if (decision.shadow) {
      // Shadow rules enforce nothing: their decisions go only where they were asked for, marked
      // "shadow":true, to be compared with what the enforced rules did.
      if (shadow_) *shadow_ << encode_decision(decision) << '\n';
      return;
    }
    std::size_t start = buffer_.size();
    append_decision(decision, buffer_);
    if (store_) {
      store_->add_decision(decision, buffer_.substr(start));  // the store is far slower anyway
    }
    buffer_ += '\n';
    if (buffer_.size() >= kBlock) flush();
  }
  void flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    out_.flush();
  }

 private:
  static constexpr std::size_t kBlock = 1 << 20;
  std::ostream& out_;
  AuditStore* store_;
  std::ostream* shadow_;
  std::string buffer_;
};

}  // namespace

runtime::EngineOptions engine_options(const RunOptions& options) {
  runtime::EngineOptions out;
  out.max_lateness = options.max_lateness;
  out.max_entries_per_key = options.max_per_key;
  out.max_decisions_per_subject = options.max_per_key;
  out.observer = options.observer;
  out.traces = options.explanations != Explanations::none;
  return out;
}

namespace {
runtime::EngineOptions handing_off(runtime::EngineOptions options, runtime::EventHandoff* handoff) {
  options.handoff = handoff;
  return options;
}
}  // namespace

struct StreamRunner::Impl {
  // A partitioned run (RunOptions::partitions): the engine below admits events and hands them
  // here to be evaluated.
  std::unique_ptr<PartitionedEvaluation> partitioned;
  runtime::Engine engine;
  EventDecoder decoder;
  IdSet used_ids;
  RejectHandler on_reject;
  bool report_duplicates;
  bool report_skipped;
  Duration max_lateness;
  Duration dedup_horizon;
  // When old ids are next forgotten: half a horizon after the last time (none: at the first
  // event). One comparison per event.
  std::optional<Time> next_forget;
  RunCounts counts;  // of this input
  // The engine's counts when this input began: a run that carries on from an earlier run's state
  // reports its own decisions, not the store's whole history.
  runtime::EngineStats before;

  Impl(const check::Policy& policy, runtime::DecisionSink& sink, RejectHandler reject,
       const RunOptions& options)
      : partitioned(options.partitions > 0
                        ? std::make_unique<PartitionedEvaluation>(policy, engine_options(options),
                                                                  sink, options.partitions)
                        : nullptr),
        engine(
            policy,
            handing_off(engine_options(options), partitioned ? partitioned.get() : options.handoff),
            sink),
        decoder(policy.schema),
        on_reject(std::move(reject)),
        report_duplicates(options.report_duplicates),
        report_skipped(options.report_skipped),
        max_lateness(options.max_lateness),
        dedup_horizon(options.dedup_horizon) {
    if (compare(dedup_horizon, max_lateness) < 0) dedup_horizon = max_lateness;
  }

  // Every half horizon of event time, the ids older than the horizon go: a pass over the set
  // at that pace costs little, and keeps it within 1.5 horizons of events.
  void forget_old_ids() {
    Time clock = *engine.clock();
    if (next_forget && clock < *next_forget) return;
    next_forget = add(clock, Duration{0, dedup_horizon.approximate_micros() / 2});
    used_ids.forget_before(subtract(clock, dedup_horizon));
  }

  void line(std::string_view text) {
    ++counts.lines;
    auto is_duplicate = [this](const std::string& id) { return used_ids.contains(id); };
    accept(text, decoder.decode(text, counts.lines, counts.lines, is_duplicate));
  }

  // A line decoded by a DecodeAhead: its duplicate check is made here, in input order.
  void decoded_line(std::string_view text, DecodedLine decoded) {
    ++counts.lines;
    if (decoded.duplicate_unchecked && used_ids.contains(decoded.id)) {
      decoded.outcome = LineOutcome::duplicate;
      decoded.event = {};
    }
    accept(text, std::move(decoded));
  }

  void accept(std::string_view text, DecodedLine decoded) {
    switch (decoded.outcome) {
      case LineOutcome::duplicate:
        ++counts.duplicates;
        if (report_duplicates) {
          on_reject(counts.lines, "duplicate",
                    fmt::format("an event with id {} was read before", decoded.id), text);
        }
        break;
      case LineOutcome::skipped:
        ++counts.skipped;
        used_ids.insert(decoded.id, decoded.time);
        if (report_skipped) {
          on_reject(counts.lines, "skipped", "the policy declares no event of this type", text);
        }
        break;
      case LineOutcome::rejected:
        ++counts.rejected;
        on_reject(counts.lines, decoded.reason, decoded.detail, text);
        break;
      case LineOutcome::event: {
        Time time = decoded.event->time;
        if (engine.is_late(time)) {
          ++counts.late;
          on_reject(
              counts.lines, "late",
              fmt::format("event time {} is more than {} before the clock {}", format_rfc3339(time),
                          format_duration(max_lateness), format_rfc3339(*engine.clock())),
              text);
          break;
        }
        used_ids.insert(decoded.id, time);
        ++counts.evaluated;
        engine.push(std::move(decoded.event));
        forget_old_ids();
        break;
      }
    }
  }
};

StreamRunner::StreamRunner(const check::Policy& policy, runtime::DecisionSink& sink,
                           RejectHandler on_reject, const RunOptions& options)
    : impl_(std::make_unique<Impl>(policy, sink, std::move(on_reject), options)) {}

StreamRunner::~StreamRunner() = default;

void StreamRunner::line(std::string_view text) {
  impl_->line(text);
}

void StreamRunner::decoded_line(std::string_view text, DecodedLine decoded) {
  impl_->decoded_line(text, std::move(decoded));
}

std::uint64_t StreamRunner::lines_so_far() const {
  return impl_->counts.lines;
}

void StreamRunner::finish() {
  impl_->engine.finish();
  if (impl_->partitioned) impl_->partitioned->finish(impl_->engine.clock());
}

void StreamRunner::begin_input() {
  impl_->counts = RunCounts{};
  impl_->before = impl_->engine.stats();
}

namespace {

// The engine's counts since `before`.
runtime::EngineStats since(const runtime::EngineStats& now, const runtime::EngineStats& before) {
  runtime::EngineStats d = now;
  auto earlier = before.values();
  auto fields = d.fields();
  for (std::size_t i = 0; i < fields.size(); ++i) *fields[i] -= earlier[i];
  return d;
}

}  // namespace

RunCounts StreamRunner::counts(bool with_state) const {
  RunCounts counts = impl_->counts;
  counts.engine = since(impl_->engine.stats(), impl_->before);
  if (with_state) counts.state = impl_->engine.state_size();
  if (const auto& partitioned = impl_->partitioned) {
    std::uint64_t evaluated = counts.engine.evaluated;
    counts.engine = partitioned->stats();
    counts.engine.evaluated = evaluated;  // once per event, not once per partition it reached
    if (with_state) {
      std::size_t buffered = counts.state.buffered;
      counts.state = partitioned->state_size();
      counts.state.buffered = buffered;
    }
    counts.partitioned = partitioned->counts();
  }
  counts.ids_remembered = impl_->used_ids.size();
  return counts;
}

namespace {
constexpr std::string_view kRunnerMagic = "bylaw-run-state/2";
}  // namespace

void StreamRunner::save(std::string& out) const {
  const Impl& r = *impl_;
  std::string engine;
  r.engine.save(engine);
  out.clear();
  put_text(out, kRunnerMagic);
  for (std::uint64_t n : {r.counts.lines, r.counts.evaluated, r.counts.duplicates, r.counts.skipped,
                          r.counts.late, r.counts.rejected}) {
    put_varint(out, n);
  }
  for (std::uint64_t n : r.before.values()) put_varint(out, n);
  out.push_back(r.next_forget ? 1 : 0);
  if (r.next_forget) put_signed(out, r.next_forget->micros);
  r.used_ids.save(out);
  put_text(out, engine);
}

runtime::RestoreReport StreamRunner::restore(std::string_view bytes) {
  Impl& r = *impl_;
  ByteReader in(bytes, "checkpoint state");
  if (in.text() != kRunnerMagic) in.fail("not a run state of this version");
  for (std::uint64_t* n : {&r.counts.lines, &r.counts.evaluated, &r.counts.duplicates,
                           &r.counts.skipped, &r.counts.late, &r.counts.rejected}) {
    *n = in.varint();
  }
  for (std::uint64_t* n : r.before.fields()) *n = in.varint();
  r.next_forget.reset();
  if (in.boolean()) r.next_forget = Time{in.signed_varint()};
  r.used_ids.restore(in);
  std::string_view engine = in.text();
  if (!in.done()) in.fail("trailing bytes");
  return r.engine.restore(engine);
}

RunCounts run_stream(const check::Policy& policy, std::istream& input, std::ostream& decisions,
                     const RejectHandler& on_reject, const RunOptions& options) {
  auto started = std::chrono::steady_clock::now();  // for the summary only, never for decisions
  StreamWriter writer(decisions, options.store, options.shadow_output);
  StreamRunner runner(policy, writer, on_reject, options);
  LineReader reader(input);
  std::string_view line;
  bool stopped = false;
  while (!stopped && reader.next(line)) {
    runner.line(line);
    stopped = options.stop && *options.stop;
  }
  if (!stopped) runner.finish();
  writer.flush();
  if (options.store) options.store->commit();  // the store rolls back what is not committed
  RunCounts counts = runner.counts();
  counts.stopped = stopped;
  counts.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return counts;
}

namespace internal {

void reserve_ids(StreamRunner& runner, std::size_t ids, std::size_t id_bytes) {
  runner.impl_->used_ids.reserve(ids, id_bytes);
}

void leave_to_exit(std::unique_ptr<StreamRunner> runner) {
  static std::unique_ptr<StreamRunner>* kept = new std::unique_ptr<StreamRunner>();
  *kept = std::move(runner);
}

}  // namespace internal

namespace {

// The state a partition holds, in one number: window entries, `latest` keys, subjects with
// remembered decisions, holds and timers.
std::uint64_t state_items(const runtime::StateSize& s) {
  return s.aggregate_entries + s.correlation_keys + s.history_subjects + s.holds + s.timers;
}

// Over partitions: the largest against the mean (1: even).
double max_over_mean(const std::vector<std::uint64_t>& values) {
  if (values.empty()) return 0;
  std::uint64_t sum = 0;
  std::uint64_t max = 0;
  for (auto v : values) {
    sum += v;
    max = std::max(max, v);
  }
  return sum == 0 ? 0
                  : static_cast<double>(max) * static_cast<double>(values.size()) /
                        static_cast<double>(sum);
}

std::vector<std::uint64_t> state_per_partition(const PartitionCounts& p) {
  std::vector<std::uint64_t> out;
  for (const auto& s : p.state) out.push_back(state_items(s));
  return out;
}

std::string partition_summary(const RunCounts& c) {
  if (!c.partitioned) return {};
  const PartitionCounts& p = *c.partitioned;
  return fmt::format(
      "bylaw run: {} partitions: {} hops; events per partition max/mean {:.2f}, state per "
      "partition max/mean {:.2f}\n",
      p.events.size(), p.hops, max_over_mean(p.events), max_over_mean(state_per_partition(p)));
}

}  // namespace

std::string summary_text(const RunCounts& c) {
  const runtime::EngineStats& e = c.engine;
  double rate = c.seconds > 0 ? static_cast<double>(c.lines) / c.seconds : 0;
  return fmt::format(
             "bylaw run: {} lines read: {} evaluated, {} duplicates, {} skipped, {} late, {} "
             "rejected\n"
             "bylaw run: decisions: {} hold, {} release, {} alert, {} eligibility ({} shadow, not "
             "emitted); {} timers fired{}\n"
             "bylaw run: {:.3f} s elapsed, {:.0f} events/s\n",
             c.lines, c.evaluated, c.duplicates, c.skipped, c.late, c.rejected, e.holds, e.releases,
             e.alerts, e.eligibilities, e.shadow, e.timers_fired,
             e.capped ? fmt::format("; {} entries dropped by per-key caps", e.capped) : "",
             c.seconds, rate) +
         partition_summary(c);
}

std::string summary_json(const RunCounts& c) {
  const runtime::EngineStats& e = c.engine;
  nlohmann::ordered_json out;
  out["lines"] = c.lines;
  out["evaluated"] = c.evaluated;
  out["duplicates"] = c.duplicates;
  out["skipped"] = c.skipped;
  out["late"] = c.late;
  out["rejected"] = c.rejected;
  out["decisions"] = {{"hold", e.holds},
                      {"release", e.releases},
                      {"alert", e.alerts},
                      {"eligibility", e.eligibilities},
                      {"shadow", e.shadow}};
  out["timers_fired"] = e.timers_fired;
  out["capped"] = e.capped;
  out["seconds"] = c.seconds;
  out["events_per_second"] = c.seconds > 0 ? static_cast<double>(c.lines) / c.seconds : 0.0;
  out["state"] = {{"window_keys", c.state.aggregate_keys},
                  {"window_entries", c.state.aggregate_entries},
                  {"latest_keys", c.state.correlation_keys},
                  {"holds", c.state.holds},
                  {"timers", c.state.timers},
                  {"buffered", c.state.buffered},
                  {"ids", c.ids_remembered}};
  if (c.peak_rss_kb > 0) out["peak_rss_mb"] = c.peak_rss_kb / 1024;
  if (c.partitioned) {
    const PartitionCounts& p = *c.partitioned;
    out["partitions"] = {{"count", p.events.size()},
                         {"hops", p.hops},
                         {"events", p.events},
                         {"state", state_per_partition(p)},
                         {"events_max_over_mean", max_over_mean(p.events)},
                         {"state_max_over_mean", max_over_mean(state_per_partition(p))}};
  }
  return out.dump();
}

}  // namespace bylaw::io
