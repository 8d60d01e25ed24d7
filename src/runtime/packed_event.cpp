#include "packed_event.hpp"

#include "bylaw/core/bytes.hpp"

namespace bylaw::runtime {

void pack_event(const Event& event, std::string& out) {
  out.clear();
  put_signed(out, event.type);
  put_text(out, event.id);
  put_signed(out, event.time.micros);
  put_varint(out, event.sequence);
  put_varint(out, event.line);
  put_varint(out, event.fields.size());
  for (const auto& field : event.fields) put_value(out, field);
}

Time packed_time(std::string_view packed) {
  ByteReader in(packed, "packed event");
  in.signed_varint();  // type
  in.text();           // id
  return Time{in.signed_varint()};
}

void unpack_event(std::string_view packed, UnpackedEvent& into) {
  ByteReader in(packed, "packed event");
  Event& event = into.event;
  event.type = static_cast<int>(in.signed_varint());
  event.id.assign(in.text());
  event.time = Time{in.signed_varint()};
  event.sequence = in.varint();
  event.line = in.varint();
  std::size_t n = in.count();
  // Shrinking destroys the surplus values; field counts are fixed per type, so this is rare.
  event.fields.resize(n);
  for (auto& field : event.fields) in.value(field, into.spare_strings);
  if (!in.done()) in.fail("trailing bytes");
}

}  // namespace bylaw::runtime
