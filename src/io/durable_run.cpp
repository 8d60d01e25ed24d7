#include "bylaw/io/durable_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "bylaw/core/bytes.hpp"
#include "bylaw/core/sha256.hpp"
#include "bylaw/io/checkpoint_store.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/line_reader.hpp"
#include "output_file.hpp"

namespace bylaw::io {

namespace {

std::string sha256_hex(std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes);
  return to_hex(sha.finish());
}

// The input, read through its descriptor: a checkpoint says where it was in bytes, and a signal
// must be able to interrupt a read that waits on a pipe.
class Input {
 public:
  Input(const std::string& path, const volatile std::sig_atomic_t* stop) : stop_(stop) {
    if (path == "-") {
      fd_ = STDIN_FILENO;
      name_ = "standard input";
      return;
    }
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      throw RunRefused(fmt::format("cannot read input '{}': {}", path, std::strerror(errno)));
    }
    owned_ = true;
    name_ = path;
  }
  ~Input() {
    if (owned_) ::close(fd_);
  }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  // Up to `size` bytes; 0 at the end; LineReader::kInterrupted once asked to stop.
  std::size_t read(char* buffer, std::size_t size) {
    while (true) {
      if (stop_ && *stop_) return LineReader::kInterrupted;
      if (stop_ && !wait_readable()) continue;  // no input yet: look at the stop flag again
      ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;  // the loop's test sees a stop
      failed_ = true;
      error_ = std::strerror(errno);
      return 0;
    }
  }

  // Whether input (or its end) is there within a short wait. A stop requested between the test
  // of the flag and a read that blocks on a quiet pipe would go unseen until more input came:
  // the bounded wait sees it within kStopCheckMs instead.
  bool wait_readable() {
    pollfd ready{fd_, POLLIN, 0};
    int n = ::poll(&ready, 1, kStopCheckMs);
    return n > 0 || (n < 0 && errno != EINTR);  // an error: the read reports it
  }
  static constexpr int kStopCheckMs = 100;

  // Moves to `offset`: a seek in a file, reading and dropping the bytes from a pipe.
  void skip_to(std::uint64_t offset) {
    if (lseek(fd_, static_cast<off_t>(offset), SEEK_SET) >= 0) return;
    std::string scratch(1 << 16, '\0');
    while (offset > 0) {
      std::size_t n = read(scratch.data(), std::min<std::uint64_t>(offset, scratch.size()));
      if (n == 0 || n == LineReader::kInterrupted) break;
      offset -= n;
    }
  }
  // Exactly `size` bytes, fewer only at the end.
  std::string read_exactly(std::uint64_t size) {
    std::string out(size, '\0');
    std::size_t got = 0;
    while (got < size) {
      std::size_t n = read(out.data() + got, size - got);
      if (n == 0 || n == LineReader::kInterrupted) break;
      got += n;
    }
    out.resize(got);
    return out;
  }

  const std::string& name() const { return name_; }
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  bool owned_ = false;
  std::string name_;
  const volatile std::sig_atomic_t* stop_;
  bool failed_ = false;
  std::string error_;
};

// Decisions wait here, encoded, until their checkpoint is committed.
class PendingDecisions : public runtime::DecisionSink {
 public:
  PendingDecisions(std::string& out, std::string* shadow, AuditStore& store)
      : out_(out), shadow_(shadow), store_(store) {}
  void on_decision(const runtime::Decision& decision) override {
    if (decision.shadow) {  // shadow rules enforce nothing: kept only when asked for
      if (shadow_) {
        append_decision(decision, *shadow_);
        *shadow_ += '\n';
      }
      return;
    }
    std::size_t start = out_.size();
    append_decision(decision, out_);
    store_.add_decision(decision, out_.substr(start));
    out_ += '\n';
  }

 private:
  std::string& out_;
  std::string* shadow_;
  AuditStore& store_;
};

// An output of the run: the file, how much of it the last checkpoint committed, and what waits
// for the next checkpoint.
struct Channel {
  const char* what;  // in messages
  std::string path;  // empty: this output is not written
  std::unique_ptr<OutputFile> file;
  std::uint64_t committed = 0;
  std::string pending;
};

class DurableRun {
 public:
  DurableRun(const check::Policy& policy, AuditStore& store, const DurableRunOptions& options)
      : policy_(policy),
        checkpoints_(store),
        options_(options),
        input_(options.input, options.stop),
        channels_{Channel{"output", options.output, nullptr, 0, {}},
                  Channel{"rejects", options.rejects, nullptr, 0, {}},
                  Channel{"shadow output", options.shadow_output, nullptr, 0, {}}},
        sink_(channels_[kDecisions].pending,
              options.shadow_output.empty() ? nullptr : &channels_[kShadow].pending, store),
        runner_(policy, sink_, reject_handler(), options.run) {}

  DurableRunResult run() {
    auto started = std::chrono::steady_clock::now();  // for the summary only
    std::optional<Checkpoint> last = checkpoints_.load();
    if (last && last->finished) last.reset();  // that run ended: this is a new one
    if (last && options_.restart) {
      checkpoints_.clear();
      last.reset();
    }
    std::uint64_t offset = 0;
    if (last) {
      offset = resume(*last);
    } else {
      open_outputs(true);
    }

    LineReader reader([this](char* buffer, std::size_t size) { return input_.read(buffer, size); });
    std::string_view line;
    std::uint64_t since_checkpoint = 0;
    bool stopped = false;
    while (reader.next(line)) {
      runner_.line(line);
      remember_position(offset, reader, line);
      if (++since_checkpoint >= options_.checkpoint_every || stop_requested()) {
        checkpoint(false);
        since_checkpoint = 0;
      }
      if (stop_requested()) {
        stopped = true;
        break;
      }
    }
    if (input_.failed()) {
      throw std::runtime_error(fmt::format("reading {} failed: {}", input_.name(), input_.error()));
    }
    if (reader.interrupted()) stopped = true;  // the signal came while a read waited
    if (!stopped) {
      runner_.finish();
      checkpoint(true);
    } else if (since_checkpoint > 0) {
      checkpoint(false);
    }
    result_.stopped = stopped;
    result_.counts = runner_.counts();
    result_.counts.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return std::move(result_);
  }

 private:
  bool stop_requested() const { return options_.stop && *options_.stop; }

  RejectHandler reject_handler() {
    return [this](std::uint64_t line, std::string_view reason, std::string_view detail,
                  std::string_view text) {
      if (options_.rejects.empty()) {
        if (options_.log_reject) options_.log_reject(line, reason, detail, text);
        return;
      }
      channels_[kRejects].pending += encode_reject(line, reason, detail, text);
      channels_[kRejects].pending += '\n';
    };
  }

  void open_outputs(bool truncate) {
    for (Channel& channel : channels_) {
      if (channel.path.empty()) continue;
      std::string error;
      channel.file = OutputFile::open(channel.path, truncate, error);
      if (!channel.file) {
        throw RunRefused(
            fmt::format("cannot write {} '{}': {}", channel.what, channel.path, error));
      }
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

  // Where the input is now, and a copy of the last line's bytes as they were read (line end
  // included), hashed only when a checkpoint is taken. The copy reuses its buffer.
  void remember_position(std::uint64_t base, const LineReader& reader, std::string_view line) {
    position_.input_offset = base + reader.consumed();
    position_.last_line_start = base + reader.line_start();
    position_.last_line.assign(line);
    // The line end the reader dropped: what lies between the line and the next one's start.
    std::uint64_t ends = reader.consumed() - reader.line_start() - line.size();
    if (ends >= 1) position_.last_line += ends == 2 ? "\r\n" : "\n";
  }

  void checkpoint(bool finished) {
    // What the last checkpoint let through must be on disk before a newer one says it is.
    for (Channel& channel : channels_) {
      if (channel.file) channel.file->sync();
    }
    Checkpoint c;
    c.policy_hash = policy_.hash;
    c.policy_name = policy_.versioned_name();
    c.input_offset = position_.input_offset;
    c.last_line_start = position_.last_line_start;
    c.last_line_hash = sha256_hex(position_.last_line);
    for (std::size_t k = 0; k < kChannels; ++k) {
      CommittedOutput& out = c.*member(k);
      out.length = channels_[k].committed + channels_[k].pending.size();
      out.pending = channels_[k].pending;
    }
    c.finished = finished;
    runner_.save(c.state);
    c.state_hash = sha256_hex(c.state);
    checkpoints_.save(c);
    ++result_.checkpoints;
    deliver(c);
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

  // Restores the checkpoint's state, puts the input and outputs where it says; returns the
  // input offset to go on from.
  std::uint64_t resume(const Checkpoint& c) {
    std::string store_hint = "rerun with --restart to start over from the beginning of the input";
    position_.input_offset = c.input_offset;  // a stop before the next line keeps this place
    position_.last_line_start = c.last_line_start;
    if (sha256_hex(c.state) != c.state_hash) {
      throw RunRefused(
          fmt::format("the checkpoint in the store is damaged (its state does not "
                      "match its hash); {}",
                      store_hint));
    }
    if (c.policy_hash != policy_.hash && !options_.allow_policy_change) {
      throw RunRefused(fmt::format(
          "the policy changed since the checkpoint ({} {} then, {} {} now): resuming would "
          "judge the rest of the stream by other rules than its beginning. Rerun with "
          "--allow-policy-change to carry the state over to the new policy, or {}",
          c.policy_name, c.policy_hash.substr(0, 12), policy_.versioned_name(),
          policy_.hash.substr(0, 12), store_hint.substr(10)));
    }
    try {
      result_.dropped = runner_.restore(c.state).dropped;
    } catch (const runtime::StateMismatch& e) {
      throw RunRefused(fmt::format("cannot carry the state over: {}; {}", e.what(), store_hint));
    }
    input_.skip_to(c.last_line_start);
    position_.last_line = input_.read_exactly(c.input_offset - c.last_line_start);
    if (sha256_hex(position_.last_line) != c.last_line_hash) {
      throw RunRefused(fmt::format(
          "{} is not the input the checkpoint was taken on (line {} differs); resume with the "
          "same input, or {}",
          input_.name(), runner_.counts().lines, store_hint));
    }
    open_outputs(false);
    for (std::size_t k = 0; k < kChannels; ++k) {
      Channel& channel = channels_[k];
      const CommittedOutput& out = c.*member(k);
      if (channel.file) restore_output(*channel.file, out.length, out.pending, c.delivered);
      channel.committed = out.length;
    }
    if (!all_cuttable() && !c.delivered) checkpoints_.mark_delivered();
    result_.resumed = true;
    result_.resumed_at_line = runner_.counts().lines;
    if (options_.notice) {
      options_.notice(
          fmt::format("resumed from the checkpoint after line {}", result_.resumed_at_line));
      for (const auto& dropped : result_.dropped) {
        options_.notice(fmt::format("policy changed: left behind {}", dropped));
      }
    }
    return c.input_offset;
  }

  void restore_output(OutputFile& out, std::uint64_t length, const std::string& pending,
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

  struct Position {
    std::uint64_t input_offset = 0;
    std::uint64_t last_line_start = 0;
    std::string last_line;
  };

  const check::Policy& policy_;
  CheckpointStore checkpoints_;
  const DurableRunOptions& options_;
  Input input_;
  static constexpr std::size_t kDecisions = 0, kRejects = 1, kShadow = 2, kChannels = 3;
  Channel channels_[kChannels];
  PendingDecisions sink_;
  StreamRunner runner_;
  Position position_;
  DurableRunResult result_;
};

}  // namespace

DurableRunResult run_durable(const check::Policy& policy, AuditStore& store,
                             const DurableRunOptions& options) {
  DurableRun run(policy, store, options);
  return run.run();
}

}  // namespace bylaw::io
