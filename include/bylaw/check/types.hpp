// The static types of the policy language.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bylaw/core/value.hpp"

namespace bylaw::check {

enum class TypeKind : std::uint8_t {
  error,  // already reported; silences follow-on errors
  boolean,
  integer,
  number,
  string,
  id,
  time,
  duration,
  enumeration,
  string_set,  // set<string>
  value_list,  // a literal list of other values: x in {fixed, hourly}
  record,      // an event (the trigger, or the one a `latest` found)
  decisions,   // the result of an `earlier` query
};

struct EnumType {
  std::vector<std::string> values;
  // The index of `value`, or -1.
  int find(const std::string& value) const;
};

struct Type {
  TypeKind kind = TypeKind::error;
  bool optional = false;
  std::shared_ptr<const EnumType> enumeration;  // kind == enumeration
  int record = -1;                              // kind == record: the event type index
  TypeKind element = TypeKind::error;           // kind == value_list

  static Type of(TypeKind kind, bool optional = false) { return Type{kind, optional, nullptr, -1}; }
  Type with_optional(bool value) const {
    Type copy = *this;
    copy.optional = value;
    return copy;
  }
  bool is_error() const { return kind == TypeKind::error; }
  bool is_numeric() const { return kind == TypeKind::integer || kind == TypeKind::number; }
  bool is_text() const { return kind == TypeKind::string || kind == TypeKind::id; }
};

// Same kind and, for enums, the same values; optionality is ignored.
bool same_base(const Type& a, const Type& b);
// Whether a value of `from` may stand where `to` is declared (int widens to number).
bool assignable(const Type& from, const Type& to);
// Whether == and != may compare these.
bool comparable(const Type& a, const Type& b);
// Whether < <= > >= may compare these.
bool ordered(const Type& a, const Type& b);

// Spelled as in the language: int, number?, enum(fixed, hourly), set<string>.
// Records are spelled by `record_names`' entry, when given.
std::string to_string(const Type& type, const std::vector<std::string>* record_names = nullptr);

// A value as the language writes it: 3, 2.5, text, 30d, 2026-03-04T10:15:00Z, fixed, {a, b};
// an absent value is "absent".
std::string display_value(const Value& value, const Type& type);
// A value in a message to a person: durations and times in words ("365 days",
// "22 April 2026, 15:45 UTC"), sets as a list ("skills, experience and performance"), an absent
// value as "none", anything else as display_value writes it.
std::string message_value(const Value& value, const Type& type);

}  // namespace bylaw::check
