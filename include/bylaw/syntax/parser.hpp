// The parser: source text to syntax tree. Stops at nothing: after a syntax error it skips to the
// next declaration and goes on, so one run reports every error it can find.
#pragma once

#include "bylaw/core/diagnostics.hpp"
#include "bylaw/core/source.hpp"
#include "bylaw/syntax/ast.hpp"

namespace bylaw::syntax {

File parse(const SourceSet& sources, FileId file, Diagnostics& diagnostics);

// For tests and tools: a compact one-line rendering of an expression, fully parenthesised.
std::string to_string(const Expr& expr);

}  // namespace bylaw::syntax
