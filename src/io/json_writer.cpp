#include "json_writer.hpp"

#include <algorithm>
#include <cstring>

#include "utf8.hpp"

namespace bylaw::io {

namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;

// The high bit of each byte of `word` that is zero (exact for the first such byte, which is all
// a caller looking for "any" needs).
constexpr std::uint64_t zero_bytes(std::uint64_t word) {
  return (word - kOnes) & ~word & kHighs;
}

// Whether any of the eight bytes needs more than copying: a control character, '"', '\\', or a
// byte of a multibyte sequence (checked for UTF-8).
bool needs_care(std::uint64_t word) {
  std::uint64_t controls = (word - 0x20 * kOnes) & ~word & kHighs;  // bytes below 0x20
  std::uint64_t quotes = zero_bytes(word ^ ('"' * kOnes));
  std::uint64_t backslashes = zero_bytes(word ^ ('\\' * kOnes));
  return ((word & kHighs) | controls | quotes | backslashes) != 0;
}

bool plain(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

// The length of the run of bytes from `i` that are copied as they are.
std::size_t plain_run(const unsigned char* s, std::size_t i, std::size_t n) {
  while (i + 8 <= n) {
    std::uint64_t word;
    std::memcpy(&word, s + i, 8);
    if (needs_care(word)) break;
    i += 8;
  }
  while (i < n && plain(s[i])) ++i;
  return i;
}

}  // namespace

void JsonWriter::grow(std::size_t n) {
  // Room for as much again as this writer wrote so far (2 KiB at first, about a decision with
  // its trace): the zeros resize writes cost a little, so not too much ahead. `out` may be a
  // large block of earlier lines, whose size says nothing about this one; its capacity still
  // grows geometrically, as std::string's does.
  std::size_t ahead = std::max<std::size_t>(at_ - start_, 2048);
  out_.resize(at_ + std::max(n, ahead));
}

void JsonWriter::quoted(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  put('"');
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    // Copy the run of characters that need no escaping in one go.
    std::size_t run = plain_run(s, i, n);
    if (run > i) {
      put(text.substr(i, run - i));
      i = run;
      if (i == n) break;
    }
    unsigned char c = s[i];
    if (c >= 0x80) {
      std::size_t length = utf8_sequence_length(s + i, n - i);
      if (length == 0) {
        put("\xEF\xBF\xBD");  // not UTF-8: U+FFFD, as nlohmann's `replace` does
        ++i;
      } else {
        put(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        put("\\\"");
        break;
      case '\\':
        put("\\\\");
        break;
      case '\b':
        put("\\b");
        break;
      case '\f':
        put("\\f");
        break;
      case '\n':
        put("\\n");
        break;
      case '\r':
        put("\\r");
        break;
      case '\t':
        put("\\t");
        break;
      default:
        if (c < 0x20) {
          char* p = room(6);
          std::memcpy(p, "\\u00", 4);
          p[4] = kHex[c >> 4];
          p[5] = kHex[c & 0xF];
        } else {
          put(static_cast<char>(c));
        }
    }
    ++i;
  }
  put('"');
}

}  // namespace bylaw::io
