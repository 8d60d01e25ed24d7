#include "bylaw/io/event_decoder.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace bylaw::io {

using nlohmann::json;

EventDecoder::EventDecoder(const check::Schema& schema) : schema_(schema) {}
EventDecoder::~EventDecoder() = default;

namespace {

DecodedLine reject(DecodedLine line, std::string reason, std::string detail) {
  line.outcome = LineOutcome::rejected;
  line.reason = std::move(reason);
  line.detail = std::move(detail);
  return line;
}

// An integer from a JSON number: integral floats count (2.0 is 2).
std::optional<std::int64_t> integer_of(const json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX) return std::nullopt;
    return value.get<std::int64_t>();
  }
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

// Converts one field; on failure says what was expected.
std::optional<Value> field_value(const json& value, const check::FieldDef& field,
                                 std::string& expected) {
  using check::TypeKind;
  const check::Type& type = field.type;
  switch (type.kind) {
    case TypeKind::id:
      expected = "a non-empty string";
      if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
        return Value(value.get<std::string>());
      }
      return std::nullopt;
    case TypeKind::string:
      expected = "a string";
      if (value.is_string()) return Value(value.get<std::string>());
      return std::nullopt;
    case TypeKind::integer: {
      expected = field.min && field.max
                     ? fmt::format("an integer in {}..{}", *field.min, *field.max)
                     : std::string("an integer");
      auto i = integer_of(value);
      if (!i || (field.min && *i < *field.min) || (field.max && *i > *field.max))
        return std::nullopt;
      return Value(*i);
    }
    case TypeKind::number:
      expected = "a number";
      if (value.is_number() && std::isfinite(value.get<double>())) {
        if (value.is_number_float()) return Value(value.get<double>());
        return Value(static_cast<double>(value.get<double>()));
      }
      return std::nullopt;
    case TypeKind::boolean:
      expected = "true or false";
      if (value.is_boolean()) return Value(value.get<bool>());
      return std::nullopt;
    case TypeKind::time:
      expected = "an RFC 3339 time with an offset";
      if (value.is_string()) {
        if (auto t = parse_rfc3339(value.get_ref<const std::string&>())) return Value(*t);
      }
      return std::nullopt;
    case TypeKind::duration:
      expected = "a duration such as \"30d\"";
      if (value.is_string()) {
        if (auto d = parse_duration(value.get_ref<const std::string&>())) return Value(*d);
      }
      return std::nullopt;
    case TypeKind::enumeration:
      expected = fmt::format("one of {}", fmt::join(type.enumeration->values, ", "));
      if (value.is_string()) {
        int index = type.enumeration->find(value.get_ref<const std::string&>());
        if (index >= 0) return Value(EnumValue{static_cast<std::uint32_t>(index)});
      }
      return std::nullopt;
    case TypeKind::string_set: {
      expected = "an array of strings";
      if (!value.is_array()) return std::nullopt;
      std::vector<std::string> items;
      items.reserve(value.size());
      for (const auto& item : value) {
        if (!item.is_string()) return std::nullopt;
        items.push_back(item.get<std::string>());
      }
      return Value(StringSet::from(std::move(items)));
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

DecodedLine EventDecoder::decode(
    std::string_view line, std::uint64_t line_number, std::uint64_t sequence,
    const std::function<bool(const std::string&)>& is_duplicate) const {
  DecodedLine out;
  if (!valid_utf8(line)) return reject(std::move(out), "invalid_utf8", "the line is not UTF-8");
  json document = json::parse(line.begin(), line.end(), nullptr, false);
  if (document.is_discarded()) {
    return reject(std::move(out), "invalid_json", "the line is not one JSON value");
  }
  if (!document.is_object()) {
    return reject(std::move(out), "not_an_object",
                  fmt::format("a CloudEvent is a JSON object, not {}", document.type_name()));
  }
  // Envelope. A null attribute counts as missing.
  auto attribute = [&](const char* name) -> const json* {
    auto it = document.find(name);
    return it == document.end() || it->is_null() ? nullptr : &*it;
  };
  const json* id = attribute("id");
  if (!id) return reject(std::move(out), "missing_id", "the envelope has no id");
  if (!id->is_string() || id->get_ref<const std::string&>().empty()) {
    return reject(std::move(out), "bad_id", "id must be a non-empty string");
  }
  out.id = id->get<std::string>();
  const json* type = attribute("type");
  if (!type) return reject(std::move(out), "missing_type", "the envelope has no type");
  if (!type->is_string() || type->get_ref<const std::string&>().empty()) {
    return reject(std::move(out), "bad_type", "type must be a non-empty string");
  }
  out.type = type->get<std::string>();
  const json* time = attribute("time");
  if (!time) return reject(std::move(out), "missing_time", "the envelope has no time");
  std::optional<Time> at;
  if (time->is_string()) at = parse_rfc3339(time->get_ref<const std::string&>());
  if (!at) {
    return reject(std::move(out), "bad_time",
                  "time must be RFC 3339 with an offset, such as 2026-03-04T10:15:00Z");
  }
  if (const json* version = attribute("specversion");
      version && !(version->is_string() && version->get_ref<const std::string&>() == "1.0")) {
    return reject(std::move(out), "bad_specversion", "specversion, when present, must be \"1.0\"");
  }
  if (is_duplicate(out.id)) {
    out.outcome = LineOutcome::duplicate;
    return out;
  }
  int type_index = schema_.find(out.type);
  if (type_index < 0 || schema_.types[static_cast<std::size_t>(type_index)].timer) {
    out.outcome = LineOutcome::skipped;
    return out;
  }
  // Data, against the schema.
  const check::EventTypeDef& def = schema_.types[static_cast<std::size_t>(type_index)];
  const json* data = attribute("data");
  if (!data) return reject(std::move(out), "missing_data", fmt::format("{} needs data", def.name));
  if (!data->is_object()) {
    return reject(std::move(out), "data_not_object", "data must be a JSON object");
  }
  auto event = std::make_shared<runtime::Event>();
  event->type = type_index;
  event->id = out.id;
  event->time = *at;
  event->sequence = sequence;
  event->line = line_number;
  event->fields.reserve(def.fields.size());
  for (const auto& field : def.fields) {
    auto it = data->find(field.name);
    if (it == data->end() || it->is_null()) {
      if (!field.type.optional) {
        return reject(std::move(out), "missing_field:" + field.name,
                      fmt::format("{} requires {}", def.name, field.name));
      }
      event->fields.emplace_back(Absent{});
      continue;
    }
    std::string expected;
    auto value = field_value(*it, field, expected);
    if (!value) {
      std::string shown = it->dump(-1, ' ', false, json::error_handler_t::replace);
      if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
      return reject(std::move(out), "bad_field:" + field.name,
                    fmt::format("{} must be {}, not {}", field.name, expected, shown));
    }
    event->fields.push_back(std::move(*value));
  }
  out.outcome = LineOutcome::event;
  out.event = std::move(event);
  return out;
}

}  // namespace bylaw::io
