#include "batch_publisher.hpp"

#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "bylaw/io/run_output.hpp"

namespace bylaw::service {

namespace {
constexpr int kAckWaitMs = 5000;
constexpr int kRetryWaitMs = 250;
}  // namespace

void BatchPublisher::publish(std::string subject, std::string id, std::string body) {
  pending_.push_back({std::move(subject), std::move(id), std::move(body)});
  if (!failed_ && send(pending_.back()) != NATS_OK) failed_ = true;
}

natsStatus BatchPublisher::send(const Message& message) {
  return link_.publish_async(message.subject, message.id, message.body);
}

bool BatchPublisher::all_acked() {
  return link_.all_acked(kAckWaitMs) && !failed_;
}

void BatchPublisher::flush() {
  for (int attempt = 1; !all_acked(); ++attempt) {
    if (*stop_) throw io::DeliveryStopped("stopped before JetStream acked the partition messages");
    if (attempt == 1) spdlog::warn("NATS: partition messages not all acked; publishing them again");
    std::this_thread::sleep_for(std::chrono::milliseconds(kRetryWaitMs));
    failed_ = false;
    if (!link_.connected()) {
      failed_ = true;
      continue;
    }
    for (const auto& message : pending_) {
      if (send(message) != NATS_OK) {
        failed_ = true;
        break;
      }
    }
  }
  pending_.clear();
}

}  // namespace bylaw::service
