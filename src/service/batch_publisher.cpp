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
  natsMsg* msg = nullptr;
  natsStatus s = natsMsg_Create(&msg, message.subject.c_str(), nullptr, message.body.data(),
                                static_cast<int>(message.body.size()));
  if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", message.id.c_str());
  if (s == NATS_OK) s = js_PublishMsgAsync(link_.jetstream(), &msg, nullptr);
  natsMsg_Destroy(msg);  // null once the library owns it
  return s;
}

bool BatchPublisher::all_acked() {
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = kAckWaitMs;
  natsStatus s = js_PublishAsyncComplete(link_.jetstream(), &wait);
  if (s != NATS_OK) {
    natsMsgList unacked{};
    js_PublishAsyncGetPendingList(&unacked, link_.jetstream());  // given up: published again
    natsMsgList_Destroy(&unacked);
  }
  bool failed = link_.take_publish_failed();
  return s == NATS_OK && !failed && !failed_;
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
