// A value of the policy language: parameter values, literals, and later event fields.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "bylaw/core/time.hpp"

namespace bylaw {

// An optional field or correlation that is not there.
struct Absent {
  friend bool operator==(const Absent&, const Absent&) = default;
};

// The position of a value in its enum type's list of values.
struct EnumValue {
  std::uint32_t index = 0;
  friend bool operator==(const EnumValue&, const EnumValue&) = default;
};

// A set<string>: kept sorted and without duplicates.
struct StringSet {
  std::vector<std::string> items;
  friend bool operator==(const StringSet&, const StringSet&) = default;
  bool contains(const std::string& item) const;
  static StringSet from(std::vector<std::string> items);
  // Sorts and drops duplicates, for items filled in place.
  void normalise();
};

// string and id values are both std::string; the static type tells them apart.
using Value = std::variant<Absent, bool, std::int64_t, double, std::string, Time, Duration,
                           EnumValue, StringSet>;

inline bool is_absent(const Value& value) {
  return std::holds_alternative<Absent>(value);
}

// For records filled in place over and over (pooled events, unpacked events): the slot as a T,
// reusing what it already holds, so its strings and vectors keep their capacity.
template <class T>
T& reuse(Value& slot) {
  if (auto* held = std::get_if<T>(&slot)) return *held;
  return slot.emplace<T>();
}

// Makes `items` hold `n` strings. Strings a smaller set does not need wait in `spare` (buffers
// and all) for the next larger one, instead of being freed and allocated again.
void resize_keeping_buffers(std::vector<std::string>& items, std::size_t n,
                            std::vector<std::string>& spare);

}  // namespace bylaw
