#include "utf8.hpp"

#include <cstdint>

#include "bylaw/io/event_decoder.hpp"

namespace bylaw::io {

std::size_t utf8_sequence_length(const unsigned char* s, std::size_t left) {
  unsigned char c = s[0];
  std::size_t n = c < 0x80             ? 1
                  : (c & 0xE0) == 0xC0 ? 2
                  : (c & 0xF0) == 0xE0 ? 3
                  : (c & 0xF8) == 0xF0 ? 4
                                       : 0;
  if (n == 0 || n > left) return 0;
  std::uint32_t code = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
  for (std::size_t i = 1; i < n; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    code = (code << 6) | (s[i] & 0x3Fu);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMin[n] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

bool valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    if (s[i] < 0x80) {  // the common case, without a call
      ++i;
      continue;
    }
    std::size_t length = utf8_sequence_length(s + i, n - i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace bylaw::io
