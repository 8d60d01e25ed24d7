#include "bylaw/core/folded_text.hpp"

#include <cctype>

namespace bylaw {

std::string fold_blanks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool blank = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

std::string folded_source(const SourceSet& sources, Span span) {
  return fold_blanks(sources.file(span.file).slice(span));
}

}  // namespace bylaw
