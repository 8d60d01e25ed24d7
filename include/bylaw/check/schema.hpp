// The event schema: the types a policy declares, with their typed fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/check/types.hpp"
#include "bylaw/core/source.hpp"

namespace bylaw::check {

// Every event has these two envelope attributes; they are not declared fields.
constexpr std::int32_t kEnvelopeIdSlot = -1;
constexpr std::int32_t kEnvelopeTimeSlot = -2;

struct FieldDef {
  std::string name;
  Type type;
  std::optional<std::int64_t> min;  // `in min..max` for int fields
  std::optional<std::int64_t> max;
  std::int32_t slot = 0;  // position in the event's field list
  Span span;
  bool is_private = false;  // never shown to the account a decision is about
};

struct EventTypeDef {
  std::string name;
  std::vector<FieldDef> fields;
  bool timer = false;  // raised by the engine's clock, not read from input
  Span span;

  const FieldDef* find(std::string_view field) const;
};

struct Schema {
  std::vector<EventTypeDef> types;

  // The index of the type named `name`, or -1.
  int find(std::string_view name) const;
  std::vector<std::string> names() const;
};

// The timer the engine raises when its clock reaches an active hold's appeal_eligible_at.
constexpr std::string_view kAppealDueTimer = "hold.appeal_due";

}  // namespace bylaw::check
