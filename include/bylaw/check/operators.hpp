// What the language's comparison operators mean on values. One definition, used by the checker's
// constant folding and by the evaluator, so the two can never disagree.
#pragma once

#include <optional>

#include "bylaw/core/value.hpp"
#include "bylaw/syntax/ast.hpp"

namespace bylaw::check {

// -1, 0 or 1; nullopt when the values have no order: an absent operand, unrelated kinds, or kinds
// that are only equal or not (enums, bools, sets). int and number compare by value; durations
// with months by their average length.
std::optional<int> order_values(const Value& a, const Value& b);

// a == b, a != b, a < b, ...: false whenever an operand is absent.
bool compare_values(syntax::Op op, const Value& a, const Value& b);

}  // namespace bylaw::check
