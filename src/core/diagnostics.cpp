#include "bylaw/core/diagnostics.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace bylaw {

void Diagnostics::error(Span span, std::string message, std::string expected) {
  items_.push_back({Severity::error, span, std::move(message), std::move(expected)});
}

void Diagnostics::warning(Span span, std::string message, std::string expected) {
  items_.push_back({Severity::warning, span, std::move(message), std::move(expected)});
}

void Diagnostics::note(Span span, std::string message) {
  items_.push_back({Severity::note, span, std::move(message), {}});
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const auto& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const auto& d) { return d.severity == Severity::warning; }));
}

namespace {

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::note:
      return "note";
  }
  return "error";
}

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The byte offset where character `n` (0-based) of `text` starts, or text.size().
std::size_t offset_of_character(std::string_view text, std::size_t n) {
  std::size_t i = 0;
  for (; i < text.size(); ++i) {
    if (is_continuation(text[i])) continue;
    if (n == 0) return i;
    --n;
  }
  return text.size();
}

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

// At most `limit` characters of `text`, with an ellipsis when cut.
std::string clipped(std::string_view text, std::size_t limit) {
  std::size_t end = offset_of_character(text, limit);
  if (end == text.size()) return std::string(text);
  return std::string(text.substr(0, end)) + std::string(kEllipsis);
}

// What of a source line is shown: a window of kShownLineWidth characters around the column.
struct LineWindow {
  std::string text;       // with an ellipsis on each side that was cut
  std::uint32_t column;   // the caret's column within `text`
  std::uint32_t visible;  // characters of the line shown from the caret on
};

LineWindow window_around(std::string_view line, std::uint32_t column) {
  std::size_t first = column > kShownLineWidth / 2 ? column - kShownLineWidth / 2 : 1;
  std::size_t begin = offset_of_character(line, first - 1);
  if (begin == 0 && offset_of_character(line, kShownLineWidth) == line.size()) {
    return {std::string(line), column, kShownLineWidth};  // short enough: the whole line
  }
  LineWindow window;
  if (begin > 0) window.text = kEllipsis;
  window.text += clipped(line.substr(begin), kShownLineWidth);
  window.column = static_cast<std::uint32_t>(column - first + 1 + (begin > 0 ? 1 : 0));
  window.visible = static_cast<std::uint32_t>(first + kShownLineWidth - column);
  return window;
}

// The caret line repeats the whitespace of the source line so tabs stay aligned.
std::string caret_line(std::string_view line, std::uint32_t column, std::uint32_t width) {
  std::string out;
  std::uint32_t seen = 1;
  for (char c : line) {
    if (seen >= column) break;
    if (is_continuation(c)) continue;
    out += c == '\t' ? '\t' : ' ';
    ++seen;
  }
  while (seen < column) {
    out += ' ';
    ++seen;
  }
  out += '^';
  if (width > 1) out.append(width - 1, '~');
  return out;
}

}  // namespace

std::string render_diagnostic(const Diagnostic& d, const SourceSet& sources) {
  const SourceFile& file = sources.file(d.span.file);
  LineColumn at = file.position(d.span.begin);
  std::string out = fmt::format("{}:{}:{}: {}: {}\n", file.path(), at.line, at.column,
                                severity_name(d.severity), clipped(d.message, kMaxShownMessage));
  LineWindow window = window_around(file.line(at.line), at.column);
  // Underline the span only while it stays on the first line.
  LineColumn until = file.position(std::max(d.span.end, d.span.begin));
  std::uint32_t width = 1;
  if (until.line == at.line && until.column > at.column) width = until.column - at.column;
  width = std::min(width, window.visible);
  std::string number = std::to_string(at.line);
  std::string gutter(number.size(), ' ');
  out += fmt::format(" {} | {}\n", number, window.text);
  out += fmt::format(" {} | {}\n", gutter, caret_line(window.text, window.column, width));
  if (!d.expected.empty()) out += fmt::format(" {} = expected: {}\n", gutter, d.expected);
  return out;
}

std::string Diagnostics::render(const SourceSet& sources) const {
  // Group each note with the diagnostic before it, then order the groups by position.
  std::vector<std::vector<const Diagnostic*>> groups;
  for (const auto& d : items_) {
    if (d.severity == Severity::note && !groups.empty()) {
      groups.back().push_back(&d);
    } else {
      groups.push_back({&d});
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    const Span& x = a.front()->span;
    const Span& y = b.front()->span;
    return x.file != y.file ? x.file < y.file : x.begin < y.begin;
  });
  std::string out;
  for (const auto& group : groups) {
    for (const Diagnostic* d : group) out += render_diagnostic(*d, sources);
  }
  return out;
}

}  // namespace bylaw
