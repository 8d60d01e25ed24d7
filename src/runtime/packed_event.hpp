// A compact byte form of an event, for state that keeps events for a long time (`latest`
// indexes). A decoded Event spends 40 bytes per field plus its header and allocator slack,
// ~400 bytes for a contract event; packed, the same event is ~60 bytes in one allocation.
// Unpacking restores every field exactly, so traces cannot tell the difference.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bylaw/runtime/event.hpp"

namespace bylaw::runtime {

// Replaces `out` with the packed form of `event` (keeps `out`'s buffer when it is large enough).
void pack_event(const Event& event, std::string& out);

// Where events are unpacked to, kept from one lookup to the next: strings, sets and the field
// vector keep their buffers, and item strings of a set that shrank wait in `spare_strings` for
// the next larger one, so unpacking into it allocates nothing once warm.
struct UnpackedEvent {
  Event event;
  std::vector<std::string> spare_strings;
};

// The time of a packed event, read without unpacking the rest.
Time packed_time(std::string_view packed);

// Fills `into.event` from bytes made by pack_event.
void unpack_event(std::string_view packed, UnpackedEvent& into);

}  // namespace bylaw::runtime
