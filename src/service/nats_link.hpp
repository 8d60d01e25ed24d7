// bylaw serve's connection to NATS: one connection and its JetStream context, reconnecting for
// as long as it takes, shared by the events consumer and the decisions publisher.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bylaw::service {

// What a NATS call's failure says: the status and the library's last error.
std::string nats_error(natsStatus status, jsErrCode code = static_cast<jsErrCode>(0));

class NatsLink {
 public:
  // Connects (io::RunRefused when the server cannot be reached now); later losses of the
  // connection are retried without end.
  explicit NatsLink(const std::string& url);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  natsConnection* connection() const { return connection_; }
  jsCtx* jetstream() const { return jetstream_; }
  const std::string& url() const { return url_; }
  bool connected() const { return connected_; }
  // Whether the connection was lost and made again since the last call.
  bool take_reconnected() { return reconnected_.exchange(false); }
  // How many times the connection was lost so far: a batch of publishes compares it before each
  // one, so that none goes out on a new connection after some were lost with the old one.
  std::uint64_t disconnects() const { return disconnects_; }
  // Whether an asynchronous publish failed since the last call.
  bool take_publish_failed() { return publish_failed_.exchange(false); }

  // One message to JetStream, asynchronously, with `id` as its Nats-Msg-Id (the stream drops a
  // second message with the same id within its duplicate window). With `after`, the stream
  // stores it only right after the message of that id (Nats-Expected-Last-Msg-Id), and refuses
  // it otherwise.
  natsStatus publish_async(const std::string& subject, const std::string& id, std::string_view body,
                           const std::string& after = {});
  // Waits up to `max_wait_ms` for every asynchronous publish to be acked; false when some was
  // not (those still waiting are given up: the caller publishes them again) or failed.
  bool all_acked(int max_wait_ms);

  // The streams that capture `subject` (JetStream's STREAM.NAMES with a subject filter).
  std::vector<std::string> streams_for(const std::string& subject) const;
  // How many copies `stream` keeps (its config's replicas); 0 when it cannot be told now.
  int replicas_of(const std::string& stream) const;

 private:
  static void on_disconnected(natsConnection*, void* self);
  static void on_reconnected(natsConnection*, void* self);
  static void on_publish_error(jsCtx*, jsPubAckErr* error, void* self);

  std::string url_;
  natsConnection* connection_ = nullptr;
  jsCtx* jetstream_ = nullptr;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> disconnects_{0};
  std::atomic<bool> reconnected_{false};
  std::atomic<bool> publish_failed_{false};
  std::atomic<bool> closing_{false};
};

}  // namespace bylaw::service
