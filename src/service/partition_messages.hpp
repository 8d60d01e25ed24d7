// What goes over a cluster's partition subjects (docs/scaling.md): the router's events and
// ticks, and the hops workers hand each other. Every message carries its place in the single
// engine's order, `n`: the how-many-th evaluated event it belongs to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bylaw/core/time.hpp"
#include "bylaw/runtime/partitions.hpp"

namespace bylaw::service {

struct PartitionMessage {
  enum class Kind : std::uint8_t { event, hop, tick };
  Kind kind = Kind::event;
  std::uint64_t n = 0;
  runtime::EventPtr event;  // event
  std::uint32_t rule = 0;   // hop: the rule, and where on its route it is going
  std::uint32_t step = 0;
  runtime::Hop hop;
  // tick: the router has published every event up to n, the last at this time: timers due by
  // then may fire once a partition has done its events up to n.
  Time time;
};

std::string encode_message(const PartitionMessage& message);
// Throws BadBytes when the bytes are not such a message.
PartitionMessage decode_message(std::string_view bytes);

// `<prefix>.p.<partition>`: one subject per partition, in one stream.
std::string partition_subject(const std::string& prefix, std::uint32_t partition);
// Deterministic ids, so that a message published again is stored once: "e<n>.<partition>",
// "h<n>.<rule>.<step>", "t<n>.<partition>".
std::string message_id(const PartitionMessage& message, std::uint32_t partition);

}  // namespace bylaw::service
