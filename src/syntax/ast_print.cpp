#include <fmt/format.h>

#include "bylaw/syntax/parser.hpp"

namespace bylaw::syntax {

const char* op_spelling(Op op) {
  switch (op) {
    case Op::none:
      return "";
    case Op::logical_or:
      return "or";
    case Op::logical_and:
      return "and";
    case Op::logical_not:
      return "not";
    case Op::negate:
      return "-";
    case Op::eq:
      return "==";
    case Op::ne:
      return "!=";
    case Op::lt:
      return "<";
    case Op::le:
      return "<=";
    case Op::gt:
      return ">";
    case Op::ge:
      return ">=";
    case Op::add:
      return "+";
    case Op::sub:
      return "-";
    case Op::mul:
      return "*";
    case Op::div:
      return "/";
    case Op::in:
      return "in";
    case Op::has:
      return "has";
    case Op::has_any:
      return "has any";
    case Op::has_all:
      return "has all";
    case Op::is_absent:
      return "is absent";
    case Op::is_present:
      return "is present";
  }
  return "?";
}

bool is_ordering(Op op) { return op == Op::lt || op == Op::le || op == Op::gt || op == Op::ge; }

bool is_comparison(Op op) { return op == Op::eq || op == Op::ne || is_ordering(op); }

std::string to_string(const Expr& expr) {
  auto joined = [&](const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < expr.args.size(); ++i) {
      if (i) out += separator;
      out += to_string(*expr.args[i]);
    }
    return out;
  };
  switch (expr.kind) {
    case ExprKind::string:
      return fmt::format("\"{}\"", expr.text);
    case ExprKind::integer:
    case ExprKind::number:
    case ExprKind::boolean:
    case ExprKind::duration:
    case ExprKind::name:
      return expr.text;
    case ExprKind::field:
      return fmt::format("{}.{}", to_string(*expr.args[0]), expr.text);
    case ExprKind::set:
      return fmt::format("{{{}}}", joined(", "));
    case ExprKind::call:
      return fmt::format("{}({})", expr.text, joined(", "));
    case ExprKind::unary:
      return expr.op == Op::negate ? fmt::format("(-{})", to_string(*expr.args[0]))
                                   : fmt::format("(not {})", to_string(*expr.args[0]));
    case ExprKind::binary:
      if (expr.args.size() == 1) {
        return fmt::format("({} {})", to_string(*expr.args[0]), op_spelling(expr.op));
      }
      return fmt::format("({} {} {})", to_string(*expr.args[0]), op_spelling(expr.op),
                         to_string(*expr.args[1]));
  }
  return "?";
}

}  // namespace bylaw::syntax
