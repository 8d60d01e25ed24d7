// bylaw serve's events from a NATS JetStream stream, one message a line, in stream order.
//
// The consumer (durable, pull, explicit acks) is only a cursor: the checkpoint in the store says
// which message was evaluated last. So at every start, and after every reconnect, the consumer
// is made again to deliver from the message after the last one evaluated: nothing the dead
// process or the lost connection had taken and not yet acked can arrive out of order later.
// Messages are acked once the checkpoint that covers them has committed.
//
// Messages are pulled with requests of our own (a batch, an expiry) on an inbox of our own,
// rather than with natsSubscription_Fetch: Debian's libnats 3.4.1 overruns its buffer in Fetch
// when messages of an earlier, expired request arrive late (nats.c #749, fixed in 3.8).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/line_source.hpp"
#include "nats_link.hpp"

namespace bylaw::service {

struct NatsInputOptions {
  std::string stream;   // --events-stream
  std::string subject;  // --events-subject; empty: all the stream's subjects
  std::string consumer = "bylaw";
};

class NatsEventSource : public io::LineSource {
 public:
  // io::RunRefused when the stream does not exist.
  NatsEventSource(NatsLink& link, NatsInputOptions options, const StopFlag* stop);
  ~NatsEventSource() override;

  const std::string& name() const override { return name_; }
  void start(const io::Checkpoint* resume_from, std::uint64_t line,
             const std::string& hint) override;
  bool next(std::string_view& line) override;
  bool interrupted() const override { return interrupted_; }
  io::SourcePosition position() const override { return {sequence_, sequence_, payload_}; }
  bool live() const override { return true; }
  void on_idle(std::function<void()> idle, int every_ms) override;
  std::uint64_t waiting() const override { return pending_; }
  bool backlogged() const override;
  // A reject names its message by stream sequence.
  std::uint64_t reject_line(std::uint64_t) const override { return sequence_; }
  void committed(std::uint64_t sequence) override;

 private:
  // Whether `msg` (which it destroys) is a message to give, in `line`.
  bool take(natsMsg* msg, std::string_view& line);
  void on_status(natsMsg* msg);
  // Waits up to the idle interval for a message; null when none came.
  natsMsg* receive();
  void request_more();
  void subscribe_after(std::uint64_t sequence);
  void check_same_stream(const io::Checkpoint& c, std::uint64_t line, const std::string& hint);

  NatsLink& link_;
  NatsInputOptions options_;
  const StopFlag* stop_;
  std::string name_;
  std::string next_subject_;           // where pull requests go
  natsSubscription* inbox_ = nullptr;  // where the pulled messages come
  std::string inbox_subject_;
  int due_ = 0;  // messages the open pull request may still bring (0: none is open)
  std::uint64_t next_delivery_ = 1;  // the consumer's count the next message must carry
  std::chrono::steady_clock::time_point request_ends_;
  bool reposition_ = false;  // the connection was lost: make the consumer again
  bool interrupted_ = false;
  std::function<void()> idle_;
  int idle_every_ms_ = 100;
  std::uint64_t sequence_ = 0;  // of the last message given
  std::string payload_;         // its bytes, for the checkpoint
  std::uint64_t pending_ = 0;   // messages after it, as the last one said
  // The reply subjects of the messages taken since the last checkpoint (each ended by '\0'),
  // to ack once a checkpoint covers them: the next checkpoint covers all of them, since it
  // comes after the last message taken.
  std::string unacked_;
};

}  // namespace bylaw::service
