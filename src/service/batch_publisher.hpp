// Messages to JetStream that must all be stored, each once: published asynchronously as they
// come, kept until flush() has seen every one acked, and published again (the same
// `Nats-Msg-Id`s, so the stream drops what it already has) after a failure or a lost
// connection. The cluster's router and workers publish their partition messages through it;
// their readers order messages by their own positions, not by the stream's, so a message
// published again after later ones is still read in its place.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nats_link.hpp"

#include "bylaw/core/stop_flag.hpp"

namespace bylaw::service {

class BatchPublisher {
 public:
  BatchPublisher(NatsLink& link, const StopFlag* stop) : link_(link), stop_(stop) {}

  void publish(std::string subject, std::string id, std::string body);
  // Returns once JetStream has acked every message published since the last flush; throws
  // io::DeliveryStopped when a stop comes first.
  void flush();
  std::size_t pending() const { return pending_.size(); }

 private:
  struct Message {
    std::string subject;
    std::string id;
    std::string body;
  };
  natsStatus send(const Message& message);
  bool all_acked();

  NatsLink& link_;
  const StopFlag* stop_;
  std::vector<Message> pending_;
  bool failed_ = false;  // some publish since the last flush failed: publish them all again
};

}  // namespace bylaw::service
