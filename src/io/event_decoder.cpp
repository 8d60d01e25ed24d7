#include "bylaw/io/event_decoder.hpp"

#include <cmath>
#include <cstring>
#include <new>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "event_decoder_parser.hpp"

namespace bylaw::io {

namespace dom = simdjson::dom;

// Room for lines up to this long from the start: the parser grows (once) for a longer line, and
// growing it on the way up through ordinary line lengths would be allocations in the hot path.
constexpr std::size_t kUsualLineCapacity = 64 * 1024;

EventDecoder::EventDecoder(const check::Schema& schema, bool ahead, DecodePath path)
    : schema_(schema),
      path_(path),
      parser_(std::make_unique<Parser>()),
      pools_(schema.types.size()) {
  if (ahead) {
    for (auto& pool : pools_) pool.share_between_threads();
  }
  // The parser sizes its document lazily, by the longest line so far: parsing one blank document
  // that long sizes it now.
  std::vector<char>& buffer = parser_->buffer;
  buffer.assign(kUsualLineCapacity + simdjson::SIMDJSON_PADDING, ' ');
  buffer[0] = '0';
  if (parser_->parser.parse(buffer.data(), kUsualLineCapacity, false).error() !=
      simdjson::SUCCESS) {
    throw std::bad_alloc();
  }
}
EventDecoder::~EventDecoder() = default;

namespace {

DecodedLine reject(DecodedLine line, std::string reason, std::string detail) {
  line.outcome = LineOutcome::rejected;
  line.reason = std::move(reason);
  line.detail = std::move(detail);
  return line;
}

// The integer a JSON number stands for when it is a double: integral floats count (2.0 is 2).
std::optional<std::int64_t> integral(double d) {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18) {
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

bool within_bounds(const check::FieldDef& field, std::int64_t i) {
  return !(field.min && i < *field.min) && !(field.max && i > *field.max);
}

// The index of `text` among an enumeration's values.
std::optional<std::uint32_t> enum_index(const check::Type& type, std::string_view text) {
  const auto& values = type.enumeration->values;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] == text) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

// A member that is there and not null.
bool member(dom::object object, std::string_view key, dom::element& out) {
  if (object[key].get(out) != simdjson::SUCCESS) return false;
  return !out.is_null();
}

const char* type_name(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY:
      return "array";
    case dom::element_type::OBJECT:
      return "object";
    case dom::element_type::STRING:
      return "string";
    case dom::element_type::BOOL:
      return "boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "number";
  }
}

// An integer from a JSON number: integral floats count (2.0 is 2).
std::optional<std::int64_t> integer_of(dom::element value) {
  switch (value.type()) {
    case dom::element_type::INT64:
      return int64_t(value);
    case dom::element_type::UINT64:
      return std::nullopt;  // above INT64_MAX
    case dom::element_type::DOUBLE:
      return integral(double(value));
    default:
      return std::nullopt;
  }
}

std::optional<std::string_view> string_of(dom::element value) {
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return s;
}

// What a field must be, for the detail of a bad_field reject (only built for a rejected line).
std::string expectation(const check::FieldDef& field) {
  using check::TypeKind;
  switch (field.type.kind) {
    case TypeKind::id:
      return "a non-empty string";
    case TypeKind::string:
      return "a string";
    case TypeKind::integer:
      return field.min && field.max ? fmt::format("an integer in {}..{}", *field.min, *field.max)
                                    : std::string("an integer");
    case TypeKind::number:
      return "a number";
    case TypeKind::boolean:
      return "true or false";
    case TypeKind::time:
      return "an RFC 3339 time with an offset";
    case TypeKind::duration:
      return "a duration such as \"30d\"";
    case TypeKind::enumeration:
      return fmt::format("one of {}", fmt::join(field.type.enumeration->values, ", "));
    case TypeKind::string_set:
      return "an array of strings";
    default:
      return "a value of its type";
  }
}

}  // namespace

bool read_field(dom::element value, const check::FieldDef& field, Value& slot,
                std::vector<std::string>& spare_strings) {
  using check::TypeKind;
  const check::Type& type = field.type;
  switch (type.kind) {
    case TypeKind::id:
    case TypeKind::string: {
      auto s = string_of(value);
      if (!s || (type.kind == TypeKind::id && s->empty())) return false;
      reuse<std::string>(slot).assign(*s);
      return true;
    }
    case TypeKind::integer: {
      auto i = integer_of(value);
      if (!i || !within_bounds(field, *i)) return false;
      slot = *i;
      return true;
    }
    case TypeKind::number: {
      double d = 0;
      if (value.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d)) return false;
      slot = d;
      return true;
    }
    case TypeKind::boolean: {
      bool b = false;
      if (value.get_bool().get(b) != simdjson::SUCCESS) return false;
      slot = b;
      return true;
    }
    case TypeKind::time: {
      auto s = string_of(value);
      std::optional<Time> t = s ? parse_rfc3339(*s) : std::nullopt;
      if (!t) return false;
      slot = *t;
      return true;
    }
    case TypeKind::duration: {
      auto s = string_of(value);
      std::optional<Duration> d = s ? parse_duration(*s) : std::nullopt;
      if (!d) return false;
      slot = *d;
      return true;
    }
    case TypeKind::enumeration: {
      auto s = string_of(value);
      std::optional<std::uint32_t> index = s ? enum_index(type, *s) : std::nullopt;
      if (!index) return false;
      slot = EnumValue{*index};
      return true;
    }
    case TypeKind::string_set: {
      dom::array array;
      if (value.get_array().get(array) != simdjson::SUCCESS) return false;
      StringSet& set = reuse<StringSet>(slot);
      resize_keeping_buffers(set.items, array.size(), spare_strings);
      std::size_t i = 0;
      for (dom::element item : array) {
        auto s = string_of(item);
        if (!s) return false;
        set.items[i++].assign(*s);
      }
      set.normalise();
      return true;
    }
    default:
      return false;
  }
}

bool EventDecoder::parse(std::string_view line, DecodedLine& out) {
  // simdjson reads a little past the end: parse a padded copy.
  Parser& p = *parser_;
  if (p.buffer.size() < line.size() + simdjson::SIMDJSON_PADDING) {
    p.buffer.resize(line.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(p.buffer.data(), line.data(), line.size());
  if (p.parser.parse(p.buffer.data(), line.size(), false).get(p.document) == simdjson::SUCCESS) {
    return true;
  }
  if (!valid_utf8(line)) {
    out = reject(std::move(out), "invalid_utf8", "the line is not UTF-8");
  } else {
    out = reject(std::move(out), "invalid_json", "the line is not one JSON value");
  }
  return false;
}

DecodedLine EventDecoder::decode_envelope() {
  DecodedLine out;
  Parser& p = *parser_;
  dom::object document;
  if (p.document.get_object().get(document) != simdjson::SUCCESS) {
    return reject(std::move(out), "not_an_object",
                  fmt::format("a CloudEvent is a JSON object, not {}", type_name(p.document)));
  }
  // Envelope. A null attribute counts as missing.
  dom::element id, type, time, version;
  if (!member(document, "id", id))
    return reject(std::move(out), "missing_id", "the envelope has no id");
  auto id_text = string_of(id);
  if (!id_text || id_text->empty()) {
    return reject(std::move(out), "bad_id", "id must be a non-empty string");
  }
  out.id = std::string(*id_text);
  if (!member(document, "type", type)) {
    return reject(std::move(out), "missing_type", "the envelope has no type");
  }
  auto type_text = string_of(type);
  if (!type_text || type_text->empty()) {
    return reject(std::move(out), "bad_type", "type must be a non-empty string");
  }
  out.type = schema_.find(*type_text);
  if (!member(document, "time", time)) {
    return reject(std::move(out), "missing_time", "the envelope has no time");
  }
  std::optional<Time> at;
  if (auto text = string_of(time)) at = parse_rfc3339(*text);
  if (!at) {
    return reject(std::move(out), "bad_time",
                  "time must be RFC 3339 with an offset, such as 2026-03-04T10:15:00Z");
  }
  if (member(document, "specversion", version) && string_of(version) != std::string_view("1.0")) {
    return reject(std::move(out), "bad_specversion", "specversion, when present, must be \"1.0\"");
  }
  out.time = *at;
  out.outcome = LineOutcome::event;
  return out;
}

DecodedLine EventDecoder::decode_data(DecodedLine out, std::uint64_t line_number,
                                      std::uint64_t sequence) {
  int type_index = out.type;
  if (type_index < 0 || schema_.types[static_cast<std::size_t>(type_index)].raised()) {
    out.outcome = LineOutcome::skipped;
    return out;
  }
  const check::EventTypeDef& def = schema_.types[static_cast<std::size_t>(type_index)];
  dom::object document = dom::object(parser_->document);
  dom::element data_element;
  if (!member(document, "data", data_element)) {
    return reject(std::move(out), "missing_data", fmt::format("{} needs data", def.name));
  }
  dom::object data;
  if (data_element.get_object().get(data) != simdjson::SUCCESS) {
    return reject(std::move(out), "data_not_object", "data must be a JSON object");
  }
  // Filled in place in a record pooled by type, so each slot keeps the same kind of value from
  // one event to the next; a rejected line hands the record straight back.
  runtime::Event* event = pools_[static_cast<std::size_t>(type_index)].acquire();
  runtime::EventPtr shared(event);
  event->type = type_index;
  event->time = out.time;
  event->id.assign(out.id);
  event->sequence = sequence;
  event->line = line_number;
  event->fields.resize(def.fields.size());
  for (std::size_t i = 0; i < def.fields.size(); ++i) {
    const check::FieldDef& field = def.fields[i];
    dom::element value;
    if (!member(data, field.name, value)) {
      if (!field.type.optional) {
        return reject(std::move(out), "missing_field:" + field.name,
                      fmt::format("{} requires {}", def.name, field.name));
      }
      event->fields[i] = Absent{};
      continue;
    }
    if (!read_field(value, field, event->fields[i], parser_->spare_strings)) {
      std::string shown = simdjson::minify(value);
      if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
      return reject(std::move(out), "bad_field:" + field.name,
                    fmt::format("{} must be {}, not {}", field.name, expectation(field), shown));
    }
  }
  out.outcome = LineOutcome::event;
  out.event = std::move(shared);
  return out;
}

}  // namespace bylaw::io
