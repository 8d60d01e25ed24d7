#include "bylaw/check/types.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bylaw/check/policy.hpp"
#include "bylaw/check/schema.hpp"

namespace bylaw::check {

int EnumType::find(const std::string& value) const {
  auto it = std::find(values.begin(), values.end(), value);
  return it == values.end() ? -1 : static_cast<int>(it - values.begin());
}

bool same_base(const Type& a, const Type& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case TypeKind::enumeration:
      return a.enumeration && b.enumeration && a.enumeration->values == b.enumeration->values;
    case TypeKind::record:
      return a.record == b.record;
    case TypeKind::value_list:
      return a.element == b.element;
    default:
      return true;
  }
}

bool assignable(const Type& from, const Type& to) {
  if (from.is_error() || to.is_error()) return true;
  if (from.optional && !to.optional) return false;
  if (from.kind == TypeKind::integer && to.kind == TypeKind::number) return true;
  if (from.is_text() && to.is_text()) return true;
  return same_base(from, to);
}

bool comparable(const Type& a, const Type& b) {
  if (a.is_error() || b.is_error()) return true;
  if (a.is_numeric() && b.is_numeric()) return true;
  if (a.is_text() && b.is_text()) return true;
  if (a.kind == TypeKind::record || a.kind == TypeKind::decisions) return false;
  return same_base(a, b);
}

bool ordered(const Type& a, const Type& b) {
  if (a.is_error() || b.is_error()) return true;
  if (a.is_numeric() && b.is_numeric()) return true;
  if (a.kind == TypeKind::time && b.kind == TypeKind::time) return true;
  if (a.kind == TypeKind::duration && b.kind == TypeKind::duration) return true;
  return a.kind == TypeKind::string && b.kind == TypeKind::string;
}

namespace {

const char* base_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::error:
      return "<error>";
    case TypeKind::boolean:
      return "bool";
    case TypeKind::integer:
      return "int";
    case TypeKind::number:
      return "number";
    case TypeKind::string:
      return "string";
    case TypeKind::id:
      return "id";
    case TypeKind::time:
      return "time";
    case TypeKind::duration:
      return "duration";
    case TypeKind::enumeration:
      return "enum";
    case TypeKind::string_set:
      return "set<string>";
    case TypeKind::value_list:
      return "list";
    case TypeKind::record:
      return "event";
    case TypeKind::decisions:
      return "decisions";
  }
  return "?";
}

}  // namespace

std::string to_string(const Type& type, const std::vector<std::string>* record_names) {
  std::string out;
  if (type.kind == TypeKind::enumeration && type.enumeration) {
    out = fmt::format("enum({})", fmt::join(type.enumeration->values, ", "));
  } else if (type.kind == TypeKind::record && record_names && type.record >= 0 &&
             static_cast<std::size_t>(type.record) < record_names->size()) {
    out = (*record_names)[static_cast<std::size_t>(type.record)];
  } else if (type.kind == TypeKind::value_list) {
    out = fmt::format("list of {}", base_name(type.element));
  } else {
    out = base_name(type.kind);
  }
  if (type.optional) out += '?';
  return out;
}

std::string message_value(const Value& value, const Type& type) {
  if (const auto* d = std::get_if<Duration>(&value)) return format_duration_words(*d);
  if (const auto* t = std::get_if<Time>(&value)) return format_time_words(*t);
  if (const auto* set = std::get_if<StringSet>(&value)) {  // skills, experience and performance
    const auto& items = set->items;
    if (items.empty()) return "none";
    std::string out = items.front();
    for (std::size_t i = 1; i < items.size(); ++i) {
      out += (i + 1 == items.size() ? " and " : ", ") + items[i];
    }
    return out;
  }
  if (std::holds_alternative<Absent>(value)) return "none";
  return display_value(value, type);
}

std::string display_value(const Value& value, const Type& type) {
  struct Visitor {
    const Type& type;
    std::string operator()(const Absent&) const { return "absent"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(Time t) const { return format_rfc3339(t); }
    std::string operator()(Duration d) const { return format_duration(d); }
    std::string operator()(EnumValue e) const {
      if (type.enumeration && e.index < type.enumeration->values.size()) {
        return type.enumeration->values[e.index];
      }
      return std::to_string(e.index);
    }
    std::string operator()(const StringSet& set) const {
      return fmt::format("{{{}}}", fmt::join(set.items, ", "));
    }
  };
  return std::visit(Visitor{type}, value);
}

const FieldDef* EventTypeDef::find(std::string_view field) const {
  for (const auto& f : fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

int Schema::find(std::string_view name) const {
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (types[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  for (const auto& t : types) out.push_back(t.name);
  return out;
}

const char* builtin_name(Builtin builtin) {
  switch (builtin) {
    case Builtin::held:
      return "held";
    case Builtin::appeal_at:
      return "appeal_at";
    case Builtin::placed_at:
      return "placed_at";
    case Builtin::released_at:
      return "released_at";
    case Builtin::exists:
      return "exists";
    case Builtin::size:
      return "size";
  }
  return "?";
}

const char* decision_kind_name(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::hold:
      return "hold";
    case DecisionKind::release:
      return "release";
    case DecisionKind::alert:
      return "alert";
    case DecisionKind::eligibility:
      return "eligibility";
  }
  return "?";
}

// "decision hold proposals_blocked": spaces keep it apart from every event type's name.
std::string decision_type_name(DecisionKind kind, std::string_view name) {
  return fmt::format("decision {} {}", decision_kind_name(kind), name);
}

const char* severity_name(AlertSeverity severity) {
  switch (severity) {
    case AlertSeverity::low:
      return "low";
    case AlertSeverity::medium:
      return "medium";
    case AlertSeverity::high:
      return "high";
  }
  return "?";
}

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::enforce:
      return "enforce";
    case Mode::shadow:
      return "shadow";
    case Mode::off:
      return "off";
  }
  return "?";
}

std::optional<std::size_t> Policy::find_param(std::string_view wanted) const {
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].name == wanted) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> Policy::find_rule(std::string_view wanted) const {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].name == wanted) return i;
  }
  return std::nullopt;
}

const ScopeDef* Policy::find_scope(std::string_view wanted) const {
  for (const auto& scope : scopes) {
    if (scope.name == wanted) return &scope;
  }
  return nullptr;
}

const HoldDef* Policy::find_hold(std::string_view wanted) const {
  for (const auto& hold : holds) {
    if (hold.name == wanted) return &hold;
  }
  return nullptr;
}

const OutcomeDef* Policy::find_outcome(DecisionKind kind, std::string_view wanted) const {
  for (const auto& outcome : outcomes) {
    if (outcome.kind == kind && outcome.name == wanted) return &outcome;
  }
  return nullptr;
}

}  // namespace bylaw::check
