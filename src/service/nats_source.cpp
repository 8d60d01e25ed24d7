#include "nats_source.hpp"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ack_subject.hpp"
#include "bylaw/core/sha256.hpp"
#include "bylaw/io/durable_run.hpp"

namespace bylaw::service {

namespace {

constexpr int kBatch = 10000;  // messages a pull request asks for
// How long a pull request waits on the server for messages that have not come yet: a quiet
// stream costs a request this often.
constexpr std::int64_t kRequestExpiresMs = 5000;
// Messages delivered and not yet acked before the server waits: above the lines between two
// checkpoints (--checkpoint-every), so that only time decides when a checkpoint is due.
constexpr std::int64_t kMaxUnacked = 1'000'000;
// A message not acked this long is delivered again (and skipped: it was given already).
constexpr std::int64_t kAckWaitNanos = 120LL * 1000 * 1000 * 1000;

// What a stream holds at `sequence`; nothing when it no longer holds it (limits, deletion).
// io::RunRefused when the broker cannot say.
std::optional<std::string> stored_message(jsCtx* js, const std::string& stream,
                                          std::uint64_t sequence) {
  natsMsg* msg = nullptr;
  jsErrCode code{};
  natsStatus s = js_GetMsg(&msg, js, stream.c_str(), sequence, nullptr, &code);
  if (s == NATS_NOT_FOUND || code == JSNoMessageFoundErr) return std::nullopt;
  if (s != NATS_OK) {
    throw io::RunRefused(
        fmt::format("NATS: cannot read message {} of stream '{}' to check the "
                    "checkpoint against it: {}",
                    sequence, stream, nats_error(s, code)));
  }
  std::string payload(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
  return payload;
}

}  // namespace

NatsEventSource::NatsEventSource(NatsLink& link, NatsInputOptions options, const StopFlag* stop)
    : link_(link),
      options_(std::move(options)),
      stop_(stop),
      name_(fmt::format("stream {}", options_.stream)) {
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  natsStatus s =
      js_GetStreamInfo(&info, link_.jetstream(), options_.stream.c_str(), nullptr, &code);
  jsStreamInfo_Destroy(info);
  if (s == NATS_NOT_FOUND || code == JSStreamNotFoundErr) {
    throw io::RunRefused(fmt::format(
        "NATS at {} has no JetStream stream '{}' to read events from: create it first (see "
        "docs/operations.md), or name another with --events-stream",
        link_.url(), options_.stream));
  }
  if (s != NATS_OK) {
    throw io::RunRefused(fmt::format("NATS at {}: cannot look up the stream '{}': {}", link_.url(),
                                     options_.stream, nats_error(s, code)));
  }
}

NatsEventSource::~NatsEventSource() {
  natsSubscription_Destroy(inbox_);
}

void NatsEventSource::start(const io::Checkpoint* resume_from, std::uint64_t line,
                            const std::string& hint) {
  if (resume_from) {
    check_same_stream(*resume_from, line, hint);
    sequence_ = resume_from->input_offset;
  }
  subscribe_after(sequence_);
}

// The message the checkpoint ended on, when the stream still holds it, must be the one it hashed.
void NatsEventSource::check_same_stream(const io::Checkpoint& c, std::uint64_t line,
                                        const std::string& hint) {
  if (c.input_offset == 0) return;
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  if (js_GetStreamInfo(&info, link_.jetstream(), options_.stream.c_str(), nullptr, &code) ==
      NATS_OK) {
    std::uint64_t last = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    if (c.input_offset > last) {
      throw io::RunRefused(
          fmt::format("{} ends at message {}, before the checkpoint's {}: it is not the stream the "
                      "checkpoint was taken on (made again?); {}",
                      name_, last, c.input_offset, hint));
    }
  }
  std::optional<std::string> payload =
      stored_message(link_.jetstream(), options_.stream, c.input_offset);
  if (payload && Sha256::hex(*payload) != c.last_line_hash) {
    throw io::RunRefused(fmt::format(
        "{} is not the input the checkpoint was taken on (its message {}, line {} of the run, "
        "differs); resume with the same stream, or {}",
        name_, c.input_offset, line, hint));
  }
  payload_ = payload.value_or("");
}

// The consumer, made again to deliver what follows `sequence`, and a new inbox for it: nothing
// the old one was sent can arrive there.
void NatsEventSource::subscribe_after(std::uint64_t sequence) {
  natsSubscription_Destroy(inbox_);
  inbox_ = nullptr;
  due_ = 0;
  unacked_.clear();  // deliveries of the old consumer: gone with it
  jsCtx* js = link_.jetstream();
  const char* stream = options_.stream.c_str();
  const char* consumer = options_.consumer.c_str();
  jsErrCode code{};
  natsStatus s = js_DeleteConsumer(js, stream, consumer, nullptr, &code);
  // None yet is fine; one that could not be deleted would be found again by the add below, with
  // its deliveries in flight, and must not be.
  if (s != NATS_OK && s != NATS_NOT_FOUND && code != JSConsumerNotFoundErr) {
    throw std::runtime_error(fmt::format("NATS: cannot delete the consumer '{}' on {}: {}",
                                         options_.consumer, name_, nats_error(s, code)));
  }
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = consumer;
  config.AckPolicy = js_AckExplicit;
  config.DeliverPolicy = js_DeliverByStartSequence;
  config.OptStartSeq = sequence + 1;
  config.AckWait = kAckWaitNanos;
  config.MaxAckPending = kMaxUnacked;
  if (!options_.subject.empty()) config.FilterSubject = options_.subject.c_str();
  jsConsumerInfo* info = nullptr;
  s = js_AddConsumer(&info, js, stream, &config, nullptr, &code);
  jsConsumerInfo_Destroy(info);
  next_delivery_ = 1;
  natsInbox* inbox = nullptr;
  if (s == NATS_OK) s = natsInbox_Create(&inbox);
  if (s == NATS_OK) {
    inbox_subject_ = inbox;
    natsInbox_Destroy(inbox);
    s = natsConnection_SubscribeSync(&inbox_, link_.connection(), inbox_subject_.c_str());
  }
  if (s == NATS_OK) {
    // The inbox holds at most a few batches: no limit of the library's should drop any.
    s = natsSubscription_SetPendingLimits(inbox_, -1, -1);
  }
  if (s != NATS_OK) {
    throw std::runtime_error(fmt::format("NATS: cannot make the consumer '{}' on {}: {}",
                                         options_.consumer, name_, nats_error(s, code)));
  }
  next_subject_ =
      fmt::format("$JS.API.CONSUMER.MSG.NEXT.{}.{}", options_.stream, options_.consumer);
}

bool NatsEventSource::next(std::string_view& line) {
  for (;;) {
    if (*stop_) {
      interrupted_ = true;
      return false;
    }
    if (natsMsg* msg = receive()) {
      if (take(msg, line)) return true;
    } else if (idle_) {
      idle_();
    }
  }
}

natsMsg* NatsEventSource::receive() {
  if (link_.take_reconnected()) reposition_ = true;
  if (reposition_ && link_.connected()) {
    try {
      subscribe_after(sequence_);
      reposition_ = false;
      spdlog::info("NATS: reading {} again after message {}", name_, sequence_);
    } catch (const std::exception& e) {
      spdlog::warn("{}; trying again", e.what());
    }
  }
  if (reposition_ || !link_.connected()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(idle_every_ms_));
    return nullptr;
  }
  request_more();
  natsMsg* msg = nullptr;
  natsStatus s = natsSubscription_NextMsg(&msg, inbox_, idle_every_ms_);
  if (s == NATS_OK) return msg;
  if (s != NATS_TIMEOUT) reposition_ = true;  // the inbox is gone with the connection
  return nullptr;
}

// A pull request when none is open: up to a batch, the server answering as messages come until
// the request expires.
void NatsEventSource::request_more() {
  auto now = std::chrono::steady_clock::now();
  if (due_ > 0 && now < request_ends_) return;
  std::string request =
      fmt::format(R"({{"batch":{},"expires":{}}})", kBatch, kRequestExpiresMs * 1000 * 1000);
  natsStatus s = natsConnection_PublishRequestString(link_.connection(), next_subject_.c_str(),
                                                     inbox_subject_.c_str(), request.c_str());
  if (s != NATS_OK) return;  // tried again at the next turn
  due_ = kBatch;
  // A request whose end never comes (lost with a connection) is given up a little later.
  request_ends_ = now + std::chrono::milliseconds(kRequestExpiresMs + 1000);
}

bool NatsEventSource::take(natsMsg* msg, std::string_view& line) {
  const char* reply = natsMsg_GetReply(msg);
  AckPlace place;
  if (!reply || !parse_ack_subject(reply, place)) {
    on_status(msg);
    natsMsg_Destroy(msg);
    return false;
  }
  if (place.delivery != next_delivery_) {
    // A delivery went missing (lost with a connection, while the library's own resubscription
    // let later ones through): what follows must not be taken before it.
    spdlog::warn("NATS: delivery {} of {} came where {} was due; reading again after message {}",
                 place.delivery, name_, next_delivery_, sequence_);
    reposition_ = true;
    natsMsg_Destroy(msg);
    return false;
  }
  ++next_delivery_;
  --due_;
  unacked_.append(reply).push_back('\0');
  bool fresh = place.sequence > sequence_;  // else delivered again: it was given already
  if (fresh) {
    sequence_ = place.sequence;
    pending_ = place.pending;
    payload_.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    line = payload_;
  }
  natsMsg_Destroy(msg);
  return fresh;
}

// A status instead of a message: 404 (nothing now) and 408 (expired) end the pull request; any
// other (409: the consumer deleted, or a limit; 503: JetStream away) makes the consumer again,
// after a pause, so that a status that comes back at once does not spin.
void NatsEventSource::on_status(natsMsg* msg) {
  due_ = 0;
  const char* status = nullptr;
  if (natsMsgHeader_Get(msg, "Status", &status) != NATS_OK || !status) return;
  std::string_view code(status);
  if (code.substr(0, 3) == "404" || code.substr(0, 3) == "408") return;
  const char* description = nullptr;
  natsMsgHeader_Get(msg, "Description", &description);
  spdlog::warn("NATS: the consumer '{}' on {} answered {} {}; making it again", options_.consumer,
               name_, code, description ? description : "");
  reposition_ = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(idle_every_ms_));
}

bool NatsEventSource::backlogged() const {
  return pending_ > static_cast<std::uint64_t>(kBatch);
}

void NatsEventSource::on_idle(std::function<void()> idle, int every_ms) {
  idle_ = std::move(idle);
  idle_every_ms_ = every_ms;
}

void NatsEventSource::committed(std::uint64_t /*sequence*/) {
  // An ack is a publish of "+ACK" to the message's reply subject (natsMsg_Ack does the same,
  // but needs the message kept whole until now).
  for (std::size_t at = 0; at < unacked_.size(); at = unacked_.find('\0', at) + 1) {
    natsConnection_PublishString(link_.connection(), unacked_.c_str() + at, "+ACK");
  }
  unacked_.clear();
}

}  // namespace bylaw::service
