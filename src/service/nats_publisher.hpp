// bylaw serve's decisions and rejects to NATS JetStream. A checkpoint's bytes (JSON Lines) are
// published a line a message, asynchronously, and append() returns once JetStream has acked
// every one. Each message carries `Nats-Msg-Id` (the decision's id; `r-<stream sequence>` for a
// reject), so that publishing a batch again, after a failure or after a crash before the
// checkpoint was marked delivered, stores nothing twice within the stream's duplicate window.
//
// When the publisher is its streams' only writer (Writers::alone: one serve) and a stream keeps
// one copy, within a batch, every message but the first of its stream carries the id of the one
// before it as Nats-Expected-Last-Msg-Id, so the stream stores a message only right after its
// predecessor: whatever the client library sends again by itself after a lost connection, a
// message can never be stored ahead of one that was lost, and the batch, published again from
// its start, keeps its order. The first of a batch needs no such guard: the batch before it was
// acked whole before it was sent. Replicated streams are not chained: their leader marks a
// message's id in flight before the check, which only the replicas' apply makes, and a message
// refused there would stay marked, its every retry refused, for the duplicate window.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include <simdjson.h>

#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/run_output.hpp"
#include "nats_link.hpp"

namespace bylaw::service {

class NatsPublisher : public io::RunOutput {
 public:
  enum class Kind { kDecisions, kRejects };
  // alone: nothing else publishes to the streams, whose order the publisher keeps; shared: a
  // cluster's workers publish decisions side by side, in no order among them.
  enum class Writers { alone, shared };
  // Decisions go to `subject`.<kind>, rejects to `subject`. io::RunRefused when no stream
  // captures those subjects.
  NatsPublisher(NatsLink& link, Kind kind, std::string subject, const StopFlag* stop,
                Writers writers);

  const std::string& name() const override { return name_; }
  bool can_cut() const override { return false; }
  std::uint64_t size() const override { return 0; }
  void cut_to(std::uint64_t) override {}
  void append(std::string_view bytes) override;
  void sync() override {}

 private:
  // One try at the whole batch: false when some publish failed or was not acked in time.
  bool publish_all(std::string_view bytes);
  // Publishes one line after `last_in_batch`'s message of the same stream; updates it.
  natsStatus publish_line(std::string_view line,
                          std::unordered_map<std::string, std::string>& last_in_batch);
  struct Routing {
    std::string subject;
    std::string id;
  };
  Routing route(std::string_view line);
  // Refuses a subject no stream captures; remembers the stream that does, and whether to chain.
  void check_captured(const std::string& subject, Writers writers);

  NatsLink& link_;
  Kind kind_;
  std::string subject_;
  const StopFlag* stop_;
  std::string name_;
  struct Target {
    std::string stream;    // the one that captures the subject
    bool chained = false;  // its messages name their predecessors
  };
  std::unordered_map<std::string, Target> targets_;  // by subject
  simdjson::dom::parser parser_;
  std::string padded_;  // the line being routed, with simdjson's padding
};

}  // namespace bylaw::service
