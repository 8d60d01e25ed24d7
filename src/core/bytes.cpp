#include "bylaw/core/bytes.hpp"

#include <cstring>
#include <type_traits>

#include <fmt/format.h>

namespace bylaw {
namespace {

// A value's tag is the index of its alternative in Value.
template <typename T, std::size_t I = 0>
constexpr std::uint8_t tag_of() {
  if constexpr (std::is_same_v<T, std::variant_alternative_t<I, Value>>) {
    return I;
  } else {
    return tag_of<T, I + 1>();
  }
}

}  // namespace

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

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
          static_assert(!sizeof(T), "every Value alternative has a byte form");
        }
      },
      value);
}

void ByteReader::fail(const char* problem) const {
  throw BadBytes(fmt::format("{}: {}", what_, problem));
}

std::uint64_t ByteReader::varint() {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    auto byte = static_cast<std::uint8_t>(take(1)[0]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return v;
  }
  fail("varint too long");
}

std::int64_t ByteReader::signed_varint() {
  std::uint64_t v = varint();
  return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

bool ByteReader::boolean() {
  return take(1)[0] != 0;
}

std::string_view ByteReader::text() {
  return take(varint());
}

std::string_view ByteReader::take(std::size_t n) {
  if (n > bytes_.size()) fail("truncated");
  std::string_view out = bytes_.substr(0, n);
  bytes_.remove_prefix(n);
  return out;
}

std::size_t ByteReader::count() {
  std::uint64_t n = varint();
  if (n > bytes_.size()) fail("a count larger than what follows");
  return static_cast<std::size_t>(n);
}

void ByteReader::value(Value& slot, std::vector<std::string>& spare) {
  auto tag = static_cast<std::uint8_t>(take(1)[0]);
  switch (tag) {
    case tag_of<Absent>():
      slot = Absent{};
      return;
    case tag_of<bool>():
      slot = boolean();
      return;
    case tag_of<std::int64_t>():
      slot = signed_varint();
      return;
    case tag_of<double>(): {
      double v;
      std::memcpy(&v, take(sizeof v).data(), sizeof v);
      slot = v;
      return;
    }
    case tag_of<std::string>():
      reuse<std::string>(slot).assign(text());
      return;
    case tag_of<Time>():
      slot = Time{signed_varint()};
      return;
    case tag_of<Duration>(): {
      auto months = static_cast<std::int32_t>(signed_varint());
      slot = Duration{months, signed_varint()};
      return;
    }
    case tag_of<EnumValue>():
      slot = EnumValue{static_cast<std::uint32_t>(varint())};
      return;
    case tag_of<StringSet>(): {
      StringSet& set = reuse<StringSet>(slot);
      resize_keeping_buffers(set.items, count(), spare);
      for (auto& item : set.items) item.assign(text());
      return;
    }
    default:
      fail("unknown value tag");
  }
}

}  // namespace bylaw
