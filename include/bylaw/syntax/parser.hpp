// The parser: source text to syntax tree. Stops at nothing: after a syntax error it skips to the
// next declaration and goes on, so one run reports every error it can find.
#pragma once

#include <cstdint>

#include "bylaw/core/diagnostics.hpp"
#include "bylaw/core/source.hpp"
#include "bylaw/syntax/ast.hpp"

namespace bylaw::syntax {

// How deeply expressions may nest: operators, parentheses, calls and set literals together. A
// rule never needs more, and the bound keeps the parser and every later stage (which walk
// expressions recursively) within a small, known stack whatever a file holds.
inline constexpr std::uint32_t kMaxExpressionDepth = 100;

File parse(const SourceSet& sources, FileId file, Diagnostics& diagnostics);

// For tests and tools: a compact one-line rendering of an expression, fully parenthesised.
std::string to_string(const Expr& expr);

}  // namespace bylaw::syntax
