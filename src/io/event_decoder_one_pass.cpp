// EventDecoder's one-pass reader: one walk over the envelope's members and one over the data's,
// each member matched once to what takes it, where the reference reader (event_decoder.cpp)
// looks every attribute and field up by name, walking the object each time. It never rejects:
// a line it does not take whole, as an event or as skipped, returns false, and the reference
// reader reads it again and decides the reject and its reason.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "bylaw/io/event_decoder.hpp"
#include "event_decoder_parser.hpp"

namespace bylaw::io {

namespace dom = simdjson::dom;

namespace {

// The envelope's attributes, each the first of its key (as a lookup by name finds it); empty
// where the line has none.
struct Envelope {
  std::optional<dom::element> id, type, time, specversion, data;
};

// Where the envelope keeps the attribute called `key`; null for one the contract does not check.
std::optional<dom::element>* attribute(Envelope& envelope, std::string_view key) {
  if (key == "id") return &envelope.id;
  if (key == "type") return &envelope.type;
  if (key == "time") return &envelope.time;
  if (key == "specversion") return &envelope.specversion;
  if (key == "data") return &envelope.data;
  return nullptr;
}

// A non-empty string, as id and type must be.
std::optional<std::string_view> name_of(const std::optional<dom::element>& value) {
  std::string_view text;
  if (!value || value->get_string().get(text) != simdjson::SUCCESS || text.empty()) {
    return std::nullopt;
  }
  return text;
}

// The attributes the contract checks, into `out`; false when any check fails.
bool read_envelope(const Envelope& envelope, const check::Schema& schema, DecodedLine& out) {
  std::optional<std::string_view> id = name_of(envelope.id);
  std::optional<std::string_view> type = name_of(envelope.type);
  std::string_view time;
  if (!id || !type || !envelope.time ||
      envelope.time->get_string().get(time) != simdjson::SUCCESS) {
    return false;
  }
  std::optional<Time> at = parse_rfc3339(time);
  if (!at) return false;
  if (envelope.specversion && !envelope.specversion->is_null()) {
    std::string_view version;
    if (envelope.specversion->get_string().get(version) != simdjson::SUCCESS || version != "1.0") {
      return false;
    }
  }
  out.id.assign(*id);
  out.type = schema.find(*type);
  out.time = *at;
  return true;
}

// The slot of the field called `key`, looked for first where the previous one left off (data
// usually comes in the declared order); -1 when the type declares no such field.
int field_slot(const check::EventTypeDef& def, std::string_view key, std::size_t from) {
  const std::size_t n = def.fields.size();
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = from + k < n ? from + k : from + k - n;
    if (def.fields[i].name == key) return static_cast<int>(i);
  }
  return -1;
}

// What the one-pass reader found of each declared field.
enum FieldFound : unsigned char { not_yet = 0, given = 1, given_null = 2 };

// A data object into `fields`: each declared field from the first member of its name, null as
// missing; false when a field is missing and required, or does not fit its type.
bool read_data(dom::object data, const check::EventTypeDef& def, std::vector<Value>& fields,
               std::vector<unsigned char>& found, std::vector<std::string>& spare) {
  fields.resize(def.fields.size());
  found.assign(def.fields.size(), not_yet);
  std::size_t next = 0;
  for (dom::key_value_pair member : data) {
    int slot = field_slot(def, member.key, next);
    if (slot < 0 || found[std::size_t(slot)] != not_yet) continue;  // undeclared, or a repeat
    auto i = static_cast<std::size_t>(slot);
    next = i + 1;
    if (member.value.is_null()) {
      found[i] = given_null;  // missing, and a later repeat is not taken (a lookup finds this)
    } else if (read_field(member.value, def.fields[i], fields[i], spare)) {
      found[i] = given;
    } else {
      return false;
    }
  }
  for (std::size_t i = 0; i < def.fields.size(); ++i) {
    if (found[i] == given) continue;
    if (!def.fields[i].type.optional) return false;
    fields[i] = Absent{};
  }
  return true;
}

}  // namespace

bool EventDecoder::decode_one_pass(std::uint64_t line_number, std::uint64_t sequence,
                                   DecodedLine& out) {
  dom::object top;
  if (path_ == DecodePath::reference ||
      parser_->document.get_object().get(top) != simdjson::SUCCESS) {
    return false;
  }
  Envelope envelope;
  for (dom::key_value_pair member : top) {
    std::optional<dom::element>* kept = attribute(envelope, member.key);
    // The first of a key given twice, null or not, as a lookup by name finds it.
    if (kept != nullptr && !*kept) *kept = member.value;
  }
  if (!read_envelope(envelope, schema_, out)) return false;
  if (out.type < 0 || schema_.types[std::size_t(out.type)].raised()) {
    out.outcome = LineOutcome::skipped;
    return true;
  }
  dom::object data;
  if (!envelope.data || envelope.data->get_object().get(data) != simdjson::SUCCESS) return false;
  const check::EventTypeDef& def = schema_.types[std::size_t(out.type)];
  runtime::Event* event = pools_[std::size_t(out.type)].acquire();
  runtime::EventPtr shared(event);  // hands the record back to its pool if the line is refused
  if (!read_data(data, def, event->fields, parser_->fields_found, parser_->spare_strings)) {
    return false;
  }
  event->type = out.type;
  event->time = out.time;
  event->id.assign(out.id);
  event->sequence = sequence;
  event->line = line_number;
  out.event = std::move(shared);
  out.outcome = LineOutcome::event;
  return true;
}

}  // namespace bylaw::io
