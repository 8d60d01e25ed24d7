// `bylaw fmt`: the canonical layout of rule and policy files. Only blanks change: line breaks
// stay where the author put them, comments stay in place.
//
// - Indentation: two spaces per `{` block; inside a block, a line indented deeper than the one
//   before is one step (two spaces) deeper, as in an outline, so the author's nesting of clauses
//   and continuation lines is kept while the widths become canonical.
// - Within a line: one space between words and around binary operators and `=`; none inside
//   parentheses, brackets and set braces, before `,` `:` `?` `.` or after `.`, nor between a
//   function and its `(`; one after `,` and `:`; `set<string>` and `1..5` stay together.
// - Trailing comments on consecutive lines line up two spaces after the longest code among them.
// - No trailing blanks, at most one blank line in a row, none at the start, one newline at the end.
//
// The result is checked to hold the same tokens as the input, so formatting cannot change what a
// file means.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bylaw::author {

// The formatted text, or nothing with `error` set (an unterminated string, say: then the file is
// left alone and `bylaw check` tells what is wrong).
std::optional<std::string> format_source(const std::string& text, std::string& error);

// A unified diff of two texts (for `bylaw fmt --diff`), with `context` lines around changes.
std::string unified_diff(const std::string& path, const std::string& before,
                         const std::string& after, int context = 3);

}  // namespace bylaw::author
