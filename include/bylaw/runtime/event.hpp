// A typed event: what the decoder makes of one input line, laid out by the schema.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bylaw/core/time.hpp"
#include "bylaw/core/value.hpp"

namespace bylaw::runtime {

struct Event {
  int type = -1;               // index into the policy's schema
  std::string id;              // envelope id; empty for the engine's timers
  Time time;                   // envelope time, UTC
  std::uint64_t sequence = 0;  // input order: breaks ties in time
  std::uint64_t line = 0;      // input line number, 1-based; 0 for timers
  std::vector<Value> fields;   // by the schema's field slots
};

// Events are shared: correlation indexes and aggregate windows keep the ones they need.
using EventPtr = std::shared_ptr<const Event>;

}  // namespace bylaw::runtime
