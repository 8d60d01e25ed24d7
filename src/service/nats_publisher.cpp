#include "nats_publisher.hpp"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "bylaw/io/durable_run.hpp"

namespace bylaw::service {

namespace {

constexpr int kAckWaitMs = 5000;   // for a batch's last acks before it is published again
constexpr int kRetryWaitMs = 250;  // between tries

constexpr const char* kDecisionKinds[] = {"hold", "release", "alert", "eligibility"};

}  // namespace

// The subject and message id of one line: a decision's kind and id, a reject's line (its stream
// sequence). Our own encoder wrote the line, so a line without them is a bug. simdjson, reused
// from line to line: a decision with its trace is over a kilobyte, and a DOM of maps per line
// was a tenth of the service's time.
NatsPublisher::Routing NatsPublisher::route(std::string_view line) {
  padded_.assign(line);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  simdjson::dom::element json;
  auto parsed = parser_.parse(padded_.data(), line.size(), false).get(json);
  std::string_view kind, id;
  std::uint64_t number = 0;
  bool found = parsed == simdjson::SUCCESS &&
               (kind_ == Kind::kRejects ? json["line"].get(number) == simdjson::SUCCESS
                                        : json["kind"].get(kind) == simdjson::SUCCESS &&
                                              json["id"].get(id) == simdjson::SUCCESS);
  if (!found) throw std::logic_error(fmt::format("not bylaw's own line: {}", line));
  if (kind_ == Kind::kRejects) return {subject_, fmt::format("r-{}", number)};
  return {fmt::format("{}.{}", subject_, kind), std::string(id)};
}

NatsPublisher::NatsPublisher(NatsLink& link, Kind kind, std::string subject, const StopFlag* stop,
                             Writers writers)
    : link_(link), kind_(kind), subject_(std::move(subject)), stop_(stop) {
  if (kind_ == Kind::kRejects) {
    name_ = fmt::format("NATS subject {}", subject_);
    check_captured(subject_, writers);
  } else {
    name_ = fmt::format("NATS subjects {}.*", subject_);
    for (const char* k : kDecisionKinds) check_captured(fmt::format("{}.{}", subject_, k), writers);
  }
}

void NatsPublisher::check_captured(const std::string& subject, Writers writers) {
  std::vector<std::string> streams = link_.streams_for(subject);
  if (streams.empty()) {
    throw io::RunRefused(fmt::format(
        "NATS at {}: no JetStream stream captures '{}', so what bylaw publishes there would be "
        "lost: create one first, e.g. a stream with the subjects '{}' (see docs/operations.md)",
        link_.url(), subject, kind_ == Kind::kRejects ? subject_ : subject_ + ".>"));
  }
  const std::string& stream = streams.front();  // JetStream lets no two streams overlap
  targets_[subject] = {stream, writers == Writers::alone && link_.replicas_of(stream) == 1};
}

void NatsPublisher::append(std::string_view bytes) {
  if (bytes.empty()) return;
  for (int attempt = 1;; ++attempt) {
    if (link_.connected() && publish_all(bytes)) return;
    if (*stop_) {
      throw io::DeliveryStopped(fmt::format(
          "stopped before {} acked the last checkpoint's messages: they are published again "
          "(with the same ids) at the next start",
          name_));
    }
    if (attempt == 1) spdlog::warn("NATS: {} not delivered yet; trying again", name_);
    std::this_thread::sleep_for(std::chrono::milliseconds(kRetryWaitMs));
  }
}

bool NatsPublisher::publish_all(std::string_view bytes) {
  link_.take_publish_failed();
  // A whole batch goes out on one connection. What a broker that dies receives last is lost, a
  // suffix of what it was sent; a line sent on the next connection would be stored ahead of
  // those, out of order. So the batch stops at a lost connection and is published again from
  // its start (what was stored is dropped as a duplicate). The count is bumped by the library's
  // disconnected callback, which runs before the first reconnect attempt (kReconnectWaitMs
  // later), and publishes in between fail (no reconnect buffer). What the library still had
  // buffered when the connection broke, it may send on the next one by itself: the expected
  // last id (publish_line) makes the stream refuse those until their predecessors are stored.
  std::uint64_t connection = link_.disconnects();
  std::unordered_map<std::string, std::string> last_in_batch;  // stream -> last id sent
  natsStatus sent = NATS_OK;
  while (sent == NATS_OK && !bytes.empty()) {
    if (link_.disconnects() != connection) {
      sent = NATS_CONNECTION_DISCONNECTED;
      break;
    }
    std::size_t end = bytes.find('\n');
    sent = publish_line(bytes.substr(0, end), last_in_batch);
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
  }
  if (sent != NATS_OK) spdlog::warn("NATS: publishing to {} failed: {}", name_, nats_error(sent));
  return link_.all_acked(kAckWaitMs) && sent == NATS_OK;
}

natsStatus NatsPublisher::publish_line(
    std::string_view line, std::unordered_map<std::string, std::string>& last_in_batch) {
  Routing to = route(line);
  const Target& target = targets_.at(to.subject);  // every subject route() makes was checked
  if (!target.chained) return link_.publish_async(to.subject, to.id, line);
  std::string& last = last_in_batch[target.stream];
  natsStatus sent = link_.publish_async(to.subject, to.id, line, last);
  last = std::move(to.id);
  return sent;
}

}  // namespace bylaw::service
