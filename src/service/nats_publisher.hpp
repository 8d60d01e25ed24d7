// bylaw serve's decisions and rejects to NATS JetStream. A checkpoint's bytes (JSON Lines) are
// published a line a message, asynchronously, and append() returns once JetStream has acked
// every one. Each message carries `Nats-Msg-Id` (the decision's id; `r-<stream sequence>` for a
// reject), so that publishing a batch again, after a failure or after a crash before the
// checkpoint was marked delivered, stores nothing twice within the stream's duplicate window.
#pragma once

#include <csignal>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "bylaw/io/run_output.hpp"
#include "nats_link.hpp"

namespace bylaw::service {

class NatsPublisher : public io::RunOutput {
 public:
  enum class Kind { kDecisions, kRejects };
  // Decisions go to `subject`.<kind>, rejects to `subject`. io::RunRefused when no stream
  // captures those subjects.
  NatsPublisher(NatsLink& link, Kind kind, std::string subject,
                const volatile std::sig_atomic_t* stop);

  const std::string& name() const override { return name_; }
  bool can_cut() const override { return false; }
  std::uint64_t size() const override { return 0; }
  void cut_to(std::uint64_t) override {}
  void append(std::string_view bytes) override;
  void sync() override {}

 private:
  // One try at the whole batch: false when some publish failed or was not acked in time.
  bool publish_all(std::string_view bytes);
  natsStatus publish_line(std::string_view line);
  struct Routing {
    std::string subject;
    std::string id;
  };
  Routing route(std::string_view line);
  void check_captured(const std::string& subject) const;

  NatsLink& link_;
  Kind kind_;
  std::string subject_;
  const volatile std::sig_atomic_t* stop_;
  std::string name_;
  simdjson::dom::parser parser_;
  std::string padded_;  // the line being routed, with simdjson's padding
};

}  // namespace bylaw::service
