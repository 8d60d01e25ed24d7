// Errors and warnings with a position, rendered the way compilers do:
//   file:line:col: error: message
//      12 | the source line
//         |     ^~~~
//     expected: what would have been valid here
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bylaw/core/source.hpp"

namespace bylaw {

// How much of a long source line and of a long message a rendering shows, in characters: a
// 1 MB line (generated, or hostile) must not come back whole in every error about it.
inline constexpr std::uint32_t kShownLineWidth = 120;
inline constexpr std::uint32_t kMaxShownMessage = 200;

enum class Severity { error, warning, note };

struct Diagnostic {
  Severity severity = Severity::error;
  Span span;
  std::string message;
  std::string expected;  // empty when there is nothing useful to suggest
};

class Diagnostics {
 public:
  void error(Span span, std::string message, std::string expected = {});
  void warning(Span span, std::string message, std::string expected = {});
  void note(Span span, std::string message);

  const std::vector<Diagnostic>& all() const { return items_; }
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }

  // Sorted by file and position, so output is stable whatever order checks ran in;
  // a note stays right after the diagnostic it belongs to.
  std::string render(const SourceSet& sources) const;

 private:
  std::vector<Diagnostic> items_;
};

std::string render_diagnostic(const Diagnostic& diagnostic, const SourceSet& sources);

}  // namespace bylaw
