#include "json_writer.hpp"

#include "utf8.hpp"

namespace bylaw::io {

void JsonWriter::quoted(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    // Copy the run of characters that need no escaping in one go.
    std::size_t run = i;
    while (run < n && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' && s[run] != '\\') ++run;
    if (run > i) {
      out_.append(text.data() + i, run - i);
      i = run;
      if (i == n) break;
    }
    unsigned char c = s[i];
    if (c >= 0x80) {
      std::size_t length = utf8_sequence_length(s + i, n - i);
      if (length == 0) {
        out_ += "\xEF\xBF\xBD";  // not UTF-8: U+FFFD, as nlohmann's `replace` does
        ++i;
      } else {
        out_.append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\b':
        out_ += "\\b";
        break;
      case '\f':
        out_ += "\\f";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        if (c < 0x20) {
          out_ += "\\u00";
          out_ += kHex[c >> 4];
          out_ += kHex[c & 0xF];
        } else {
          out_ += static_cast<char>(c);
        }
    }
    ++i;
  }
  out_ += '"';
}

}  // namespace bylaw::io
