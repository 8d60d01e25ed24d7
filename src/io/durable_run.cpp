#include "bylaw/io/durable_run.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "bylaw/core/bytes.hpp"
#include "bylaw/core/sha256.hpp"
#include "bylaw/io/checkpoint_store.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "file_line_source.hpp"
#include "output_file.hpp"

namespace bylaw::io {

namespace {

// Decisions wait here, encoded, until their checkpoint is committed.
class PendingDecisions : public runtime::DecisionSink {
 public:
  PendingDecisions(std::string& out, std::string* shadow, AuditStore& store, RunObserver* observer,
                   Explanations explanations)
      : out_(out),
        shadow_(shadow),
        store_(store),
        observer_(observer),
        explanations_(explanations) {}
  void on_decision(const runtime::Decision& decision) override {
    if (observer_) observer_->decided(decision);
    if (decision.shadow) {  // shadow rules enforce nothing: kept only when asked for
      if (shadow_) {
        append_decision(decision, *shadow_);
        *shadow_ += '\n';
      }
      return;
    }
    if (explanations_ == Explanations::inline_trace) {  // one encoding for both
      std::size_t start = out_.size();
      append_decision(decision, out_);
      store_.add_decision(decision, out_.substr(start));
    } else {  // the whole decision in the store, the line without its trace
      stored_.clear();
      append_decision(decision, stored_);
      store_.add_decision(decision, stored_);
      append_decision(decision, out_, explanations_);
    }
    out_ += '\n';
  }

 private:
  std::string& out_;
  std::string* shadow_;
  AuditStore& store_;
  RunObserver* observer_;
  Explanations explanations_;
  std::string stored_;  // scratch: the decision as the store keeps it
};

// An output of the run: where it goes, how much of it the last checkpoint committed, and what
// waits for the next checkpoint.
struct Channel {
  // `given`: the caller's own output (a broker), used instead of a path.
  Channel(const char* what_, std::string path_, RunOutput* given)
      : what(what_), path(std::move(path_)), file(given) {}

  const char* what;  // in messages
  std::string path;  // empty: this output is not written (unless given)
  RunOutput* file;   // where the bytes go: the given output, or `opened` once open
  std::unique_ptr<OutputFile> opened;
  std::uint64_t committed = 0;
  std::string pending;

  bool wanted() const { return file || !path.empty(); }
};

std::unique_ptr<LineSource> open_source(const DurableRunOptions& options) {
  if (options.source) return nullptr;
  return std::make_unique<FileLineSource>(options.input, options.stop);
}

class DurableRun {
 public:
  DurableRun(const check::Policy& policy, AuditStore& store, const DurableRunOptions& options)
      : policy_(&policy),
        store_(store),
        checkpoints_(store),
        options_(options),
        owned_input_(open_source(options)),
        input_(options.source ? *options.source : *owned_input_),
        channels_{Channel{"output", options.output, options.decisions_to},
                  Channel{"rejects", options.rejects, options.rejects_to},
                  Channel{"shadow output", options.shadow_output, nullptr}},
        sink_(channels_[kDecisions].pending,
              options.shadow_output.empty() ? nullptr : &channels_[kShadow].pending, store,
              options.observer, options.run.explanations),
        runner_(std::make_unique<StreamRunner>(policy, sink_, reject_handler(), options.run)) {}

  DurableRunResult run() {
    auto started = std::chrono::steady_clock::now();  // for the summary only
    start();
    // A live input (not a regular file) is checkpointed by time too, so that what is decided
    // goes out within about the interval, also while the input is quiet.
    if (input_.live()) {
      input_.on_idle(
          [this] {
            if (options_.observer) tick();
            checkpoint_if_due();
          },
          kIdleWaitMs);
    }
    std::string_view line;
    // Once a stop is asked for, the source gives the lines it already holds and reads no more:
    // everything that was read is evaluated and checkpointed.
    while (input_.next(line)) {
      evaluate(line);
      if (++since_checkpoint_ >= options_.checkpoint_every) checkpoint(false);
      if (input_.live()) checkpoint_if_due();
      if (options_.observer && ++since_tick_ >= kLinesPerTick) tick();
    }
    bool stopped = input_.interrupted();
    if (!stopped) {
      runner_->finish();
      checkpoint(true);
    } else {
      checkpoint(false);
    }
    result_.stopped = stopped;
    result_.counts = runner_->counts();
    result_.counts.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return std::move(result_);
  }

 private:
  static constexpr int kIdleWaitMs = 20;
  static constexpr std::uint64_t kLinesPerTick = 256;
  static constexpr int kPacing = 2;  // see checkpoint_if_due
  static constexpr int kBacklogPacing = 30;
  static constexpr std::chrono::seconds kMaxSpacing{30};

  void evaluate(std::string_view line) {
    if (!options_.observer) return runner_->line(line);
    auto started = std::chrono::steady_clock::now();
    runner_->line(line);
    options_.observer->evaluated(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  // The observer's turn; a policy it returns is swapped in.
  void tick() {
    since_tick_ = 0;
    RunCounts counts = runner_->counts(false);
    counts.input_lag = input_.waiting();
    if (const check::Policy* next = options_.observer->tick(counts)) swap(*next);
  }

  // Goes on under `next`: a checkpoint under the running policy, then its state carried over
  // (matched by rule name and clause text, holds always kept), and the new pack in the store.
  void swap(const check::Policy& next) {
    checkpoint(false);
    std::string state;
    runner_->save(state);
    auto swapped = std::make_unique<StreamRunner>(next, sink_, reject_handler(), options_.run);
    std::vector<std::string> dropped;
    try {
      dropped = swapped->restore(state).dropped;
    } catch (const runtime::StateMismatch& e) {
      options_.observer->swap_refused(e.what());  // the running policy goes on
      return;
    }
    runner_ = std::move(swapped);
    policy_ = &next;
    store_.add_policy(next);
    checkpoint(false);  // the new policy's hash, with the state it carried over
    options_.observer->swapped(next, dropped);
  }

  // Where this run begins: the unfinished checkpoint of the same input after a crash; the state
  // a finished run left, for a new input; or nothing.
  void start() {
    std::optional<Checkpoint> last = checkpoints_.load();
    if (last && options_.restart) {
      checkpoints_.clear();
      last.reset();
    }
    if (last && !last->finished) return resume(*last);
    input_.start(nullptr, 0, "");
    if (last) {
      carry_on(*last);
    } else {
      open_outputs(true);
    }
  }

  // A live input's checkpoint, when the interval has passed since the last and something waits
  // to go out. Group commit: a checkpoint saves the whole state, so when the state is large the
  // next one waits at least kPacing times as long as the last took, which keeps checkpoints to
  // a bounded share of the time (about 1 / (1 + kPacing)) however fast events come; while a
  // backlog is caught up on, whose events have waited already, kBacklogPacing times.
  void checkpoint_if_due() {
    if (since_checkpoint_ == 0 && !pending_output()) return;
    auto now = std::chrono::steady_clock::now();
    int pacing = input_.backlogged() ? kBacklogPacing : kPacing;
    // Never more than kMaxSpacing apart: a broker delivers again what is not acked for long.
    auto spacing = std::min<std::chrono::steady_clock::duration>(
        kMaxSpacing, std::max<std::chrono::steady_clock::duration>(options_.checkpoint_interval,
                                                                   pacing * last_checkpoint_took_));
    if (now - last_checkpoint_ < spacing) return;
    checkpoint(false);
  }

  bool pending_output() const {
    for (const Channel& channel : channels_) {
      if (!channel.pending.empty()) return true;
    }
    return false;
  }

  RejectHandler reject_handler() {
    return [this](std::uint64_t line, std::string_view reason, std::string_view detail,
                  std::string_view text) {
      if (options_.observer) options_.observer->rejected(reason);
      if (!channels_[kRejects].wanted()) {
        if (options_.log_reject) options_.log_reject(line, reason, detail, text);
        return;
      }
      channels_[kRejects].pending += encode_reject(input_.reject_line(line), reason, detail, text);
      channels_[kRejects].pending += '\n';
    };
  }

  void open_outputs(bool truncate) {
    for (Channel& channel : channels_) {
      if (channel.file || channel.path.empty()) continue;  // given, or not written
      std::string error;
      channel.opened = OutputFile::open(channel.path, truncate, error);
      if (!channel.opened) {
        throw RunRefused(
            fmt::format("cannot write {} '{}': {}", channel.what, channel.path, error));
      }
      channel.file = channel.opened.get();
    }
  }

  // Whether every output can be cut back to a committed length (none is standard output).
  bool all_cuttable() const {
    for (const Channel& channel : channels_) {
      if (channel.file && !channel.file->can_cut()) return false;
    }
    return true;
  }

  static CommittedOutput Checkpoint::*member(std::size_t channel) {
    static CommittedOutput Checkpoint::*const members[] = {
        &Checkpoint::decisions, &Checkpoint::rejects, &Checkpoint::shadow};
    return members[channel];
  }

  void checkpoint(bool finished) {
    auto started = std::chrono::steady_clock::now();
    // What the last checkpoint let through must be on disk before a newer one says it is.
    for (Channel& channel : channels_) {
      if (channel.file) channel.file->sync();
    }
    Checkpoint c;
    c.policy_hash = policy_->hash;
    c.policy_name = policy_->versioned_name();
    SourcePosition position = input_.position();
    c.input_offset = position.offset;
    c.last_line_start = position.last_line_start;
    c.last_line_hash = Sha256::hex(position.last_line);
    for (std::size_t k = 0; k < kChannels; ++k) {
      CommittedOutput& out = c.*member(k);
      out.length = channels_[k].committed + channels_[k].pending.size();
      out.pending = channels_[k].pending;
    }
    c.finished = finished;
    runner_->save(c.state);
    c.state_hash = Sha256::hex(c.state);
    checkpoints_.save(c);
    ++result_.checkpoints;
    since_checkpoint_ = 0;
    last_checkpoint_ = std::chrono::steady_clock::now();
    last_checkpoint_took_ = last_checkpoint_ - started;
    deliver(c);
    input_.committed(c.input_offset);
    if (options_.observer) options_.observer->checkpointed(c, runner_->counts());
  }

  // The committed checkpoint's own bytes, to the outputs.
  void deliver(const Checkpoint& c) {
    for (std::size_t k = 0; k < kChannels; ++k) {
      Channel& channel = channels_[k];
      const CommittedOutput& out = c.*member(k);
      if (channel.file) channel.file->append(out.pending);
      channel.committed = out.length;
      channel.pending.clear();
    }
    if (!all_cuttable()) checkpoints_.mark_delivered();
  }

  // The checkpoint's run state, into the runner: refused when it is damaged, or made under
  // another policy (unless allowed).
  void restore_state(const Checkpoint& c, const std::string& store_hint) {
    if (Sha256::hex(c.state) != c.state_hash) {
      throw RunRefused(
          fmt::format("the checkpoint in the store is damaged (its state does not "
                      "match its hash); {}",
                      store_hint));
    }
    if (c.policy_hash != policy_->hash && !options_.allow_policy_change) {
      throw RunRefused(fmt::format(
          "the policy changed since the checkpoint ({} {} then, {} {} now): going on would "
          "judge the rest of the stream by other rules than its beginning. Rerun with "
          "--allow-policy-change to carry the state over to the new policy, or {}",
          c.policy_name, c.policy_hash.substr(0, 12), policy_->versioned_name(),
          policy_->hash.substr(0, 12), store_hint.substr(10)));
    }
    try {
      result_.dropped = runner_->restore(c.state).dropped;
    } catch (const runtime::StateMismatch& e) {
      throw RunRefused(fmt::format("cannot carry the state over: {}; {}", e.what(), store_hint));
    }
  }

  // A finished run's state, for a new input: holds, windows, indexes, timers, the clock and the
  // remembered ids carry on; the input is read from its start, and the outputs start empty.
  void carry_on(const Checkpoint& c) {
    restore_state(c, "rerun with --restart to start from empty state");
    runner_->begin_input();
    // Appended to, never emptied: the same output file over day1 and day2 holds both days.
    open_outputs(false);
    for (Channel& channel : channels_) {
      if (channel.file && channel.file->can_cut()) channel.committed = channel.file->size();
    }
    result_.carried_on = true;
    if (options_.notice) {
      options_.notice(
          fmt::format("carrying on from the state the last run left in the store "
                      "(its clock, holds, windows and remembered ids)"));
      for (const auto& dropped : result_.dropped) {
        options_.notice(fmt::format("policy changed: left behind {}", dropped));
      }
    }
  }

  // Restores the checkpoint's state, puts the input and outputs where it says.
  void resume(const Checkpoint& c) {
    std::string store_hint = "rerun with --restart to start over from the beginning of the input";
    restore_state(c, store_hint);
    // A pipe cannot be read again: what its producer sends now follows what the checkpoint
    // covered (after a stop, everything read was covered; after a kill, lines read since the
    // last checkpoint are gone with the process, which only a file or a broker can replay).
    input_.start(&c, runner_->counts(false).lines, store_hint);
    open_outputs(false);
    for (std::size_t k = 0; k < kChannels; ++k) {
      Channel& channel = channels_[k];
      const CommittedOutput& out = c.*member(k);
      if (channel.file) restore_output(*channel.file, out.length, out.pending, c.delivered);
      channel.committed = out.length;
    }
    if (!all_cuttable() && !c.delivered) checkpoints_.mark_delivered();
    result_.resumed = true;
    result_.resumed_at_line = runner_->counts(false).lines;
    if (options_.notice) {
      options_.notice(
          fmt::format("resumed from the checkpoint after line {}", result_.resumed_at_line));
      for (const auto& dropped : result_.dropped) {
        options_.notice(fmt::format("policy changed: left behind {}", dropped));
      }
    }
  }

  void restore_output(RunOutput& out, std::uint64_t length, const std::string& pending,
                      bool delivered) {
    if (pending.size() > length) {
      throw RunRefused(
          "the checkpoint in the store is damaged (its pending output is longer than "
          "the output it says it committed); rerun with --restart");
    }
    std::uint64_t before = length - pending.size();
    if (!out.can_cut()) {
      if (!delivered) out.append(pending);
      return;
    }
    std::uint64_t size = out.size();
    if (size < before) {
      throw RunRefused(fmt::format(
          "{} holds {} bytes, fewer than the {} the checkpoint committed before its last "
          "decisions: it is not this run's output; resume with the same output file, or rerun "
          "with --restart",
          out.name(), size, before));
    }
    out.cut_to(before);
    out.append(pending);
  }

  const check::Policy* policy_;  // the running one: a service may swap another in
  AuditStore& store_;
  CheckpointStore checkpoints_;
  const DurableRunOptions& options_;
  std::unique_ptr<LineSource> owned_input_;  // when the caller gives none
  LineSource& input_;
  static constexpr std::size_t kDecisions = 0, kRejects = 1, kShadow = 2, kChannels = 3;
  Channel channels_[kChannels];
  PendingDecisions sink_;
  std::unique_ptr<StreamRunner> runner_;
  std::uint64_t since_checkpoint_ = 0;  // lines
  std::uint64_t since_tick_ = 0;        // lines
  std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration last_checkpoint_took_{};  // saving and committing it
  DurableRunResult result_;
};

}  // namespace

DurableRunResult run_durable(const check::Policy& policy, AuditStore& store,
                             const DurableRunOptions& options) {
  DurableRun run(policy, store, options);
  return run.run();
}

}  // namespace bylaw::io
