#include "packed_event.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace bylaw::runtime {
namespace {

// A field's tag is the index of its alternative in Value.
template <typename T, std::size_t I = 0>
constexpr std::uint8_t tag_of() {
  if constexpr (std::is_same_v<T, std::variant_alternative_t<I, Value>>) {
    return I;
  } else {
    return tag_of<T, I + 1>();
  }
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Zigzag, so small negative numbers stay short too.
void put_signed(std::string& out, std::int64_t v) {
  put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

void put_text(std::string& out, std::string_view text) {
  put_varint(out, text.size());
  out.append(text);
}

void put_value(std::string& out, const Value& value) {
  out.push_back(static_cast<char>(value.index()));  // == tag_of<alternative>()
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Absent>) {
        } else if constexpr (std::is_same_v<T, bool>) {
          out.push_back(v ? 1 : 0);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          put_signed(out, v);
        } else if constexpr (std::is_same_v<T, double>) {
          char bytes[sizeof v];
          std::memcpy(bytes, &v, sizeof v);
          out.append(bytes, sizeof v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          put_text(out, v);
        } else if constexpr (std::is_same_v<T, Time>) {
          put_signed(out, v.micros);
        } else if constexpr (std::is_same_v<T, Duration>) {
          put_signed(out, v.months);
          put_signed(out, v.micros);
        } else if constexpr (std::is_same_v<T, EnumValue>) {
          put_varint(out, v.index);
        } else if constexpr (std::is_same_v<T, StringSet>) {
          put_varint(out, v.items.size());
          for (const auto& item : v.items) put_text(out, item);
        } else {
          static_assert(!sizeof(T), "every Value alternative is packed");
        }
      },
      value);
}

// Reads what the writers above wrote. The bytes never leave the process, so a short read is
// a bug in this file, not bad input: it throws rather than returning garbage.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto byte = static_cast<std::uint8_t>(take(1)[0]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    throw std::logic_error("packed event: varint too long");
  }
  std::int64_t signed_varint() {
    std::uint64_t v = varint();
    return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  std::string_view text() { return take(varint()); }
  std::string_view take(std::size_t n) {
    if (n > bytes_.size()) throw std::logic_error("packed event: truncated");
    std::string_view out = bytes_.substr(0, n);
    bytes_.remove_prefix(n);
    return out;
  }
  bool done() const { return bytes_.empty(); }

 private:
  std::string_view bytes_;
};

void read_value(Reader& in, Value& slot, std::vector<std::string>& spare) {
  auto tag = static_cast<std::uint8_t>(in.take(1)[0]);
  switch (tag) {
    case tag_of<Absent>():
      slot = Absent{};
      return;
    case tag_of<bool>():
      slot = in.take(1)[0] != 0;
      return;
    case tag_of<std::int64_t>():
      slot = in.signed_varint();
      return;
    case tag_of<double>(): {
      double v;
      std::memcpy(&v, in.take(sizeof v).data(), sizeof v);
      slot = v;
      return;
    }
    case tag_of<std::string>():
      reuse<std::string>(slot).assign(in.text());
      return;
    case tag_of<Time>():
      slot = Time{in.signed_varint()};
      return;
    case tag_of<Duration>(): {
      auto months = static_cast<std::int32_t>(in.signed_varint());
      slot = Duration{months, in.signed_varint()};
      return;
    }
    case tag_of<EnumValue>():
      slot = EnumValue{static_cast<std::uint32_t>(in.varint())};
      return;
    case tag_of<StringSet>(): {
      StringSet& set = reuse<StringSet>(slot);
      resize_keeping_buffers(set.items, in.varint(), spare);
      for (auto& item : set.items) item.assign(in.text());
      return;
    }
    default:
      throw std::logic_error("packed event: unknown field tag");
  }
}

}  // namespace

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

void unpack_event(std::string_view packed, UnpackedEvent& into) {
  Reader in(packed);
  Event& event = into.event;
  event.type = static_cast<int>(in.signed_varint());
  event.id.assign(in.text());
  event.time = Time{in.signed_varint()};
  event.sequence = in.varint();
  event.line = in.varint();
  std::size_t n = in.varint();
  // Shrinking destroys the surplus values; field counts are fixed per type, so this is rare.
  event.fields.resize(n);
  for (auto& field : event.fields) read_value(in, field, into.spare_strings);
  if (!in.done()) throw std::logic_error("packed event: trailing bytes");
}

}  // namespace bylaw::runtime
