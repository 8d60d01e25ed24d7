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

enum class DecisionKind : std::uint8_t { hold, release, alert, eligibility };
const char* decision_kind_name(DecisionKind kind);

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
  // A decision a rule reacts to (`on decision hold proposals_blocked`), raised when one is made.
  std::optional<DecisionKind> decision;
  std::string decision_name;  // ...and the name of the decisions it stands for
  Span span;

  // Made by the engine, never read from input: timers and decisions.
  bool raised() const { return timer || decision.has_value(); }

  const FieldDef* find(std::string_view field) const;
};

struct Schema {
  std::vector<EventTypeDef> types;

  // The index of the type named `name`, or -1.
  int find(std::string_view name) const;
  std::vector<std::string> names() const;
};

// A decision type's fields, in slot order: subject, rule, trigger (absent: made by a timer), then
// for a hold appeal_eligible_at, expires_at, scope; for an alert severity; for an eligibility
// eligible, reason, eligible_at. Its envelope id is the decision's id, its time the decision's.
constexpr std::int32_t kDecisionTriggerSlot = 2;

// The type of the decisions `on decision <kind> <name>` reacts to: a name no event type can have.
std::string decision_type_name(DecisionKind kind, std::string_view name);

// The timer the engine raises when its clock reaches an active hold's appeal_eligible_at.
constexpr std::string_view kAppealDueTimer = "hold.appeal_due";

}  // namespace bylaw::check
