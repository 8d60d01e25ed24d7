#include "bylaw/check/operators.hpp"

namespace bylaw::check {

namespace {

std::optional<double> as_number(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

template <class T>
int sign(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

}  // namespace

std::optional<int> order_values(const Value& a, const Value& b) {
  if (is_absent(a) || is_absent(b)) return std::nullopt;
  if (std::holds_alternative<std::int64_t>(a) && std::holds_alternative<std::int64_t>(b)) {
    return sign(std::get<std::int64_t>(a), std::get<std::int64_t>(b));
  }
  if (auto x = as_number(a), y = as_number(b); x && y) return sign(*x, *y);
  if (a.index() != b.index()) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&a)) return sign(*s, std::get<std::string>(b));
  if (const auto* t = std::get_if<Time>(&a)) return sign(*t, std::get<Time>(b));
  if (const auto* d = std::get_if<Duration>(&a)) {
    auto c = compare(*d, std::get<Duration>(b));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return std::nullopt;
}

bool compare_values(syntax::Op op, const Value& a, const Value& b) {
  using syntax::Op;
  if (is_absent(a) || is_absent(b)) return false;
  if (op == Op::eq || op == Op::ne) {
    auto c = order_values(a, b);
    bool equal = c ? *c == 0 : a == b;
    return (op == Op::eq) == equal;
  }
  auto c = order_values(a, b);
  if (!c) return false;
  switch (op) {
    case Op::lt:
      return *c < 0;
    case Op::le:
      return *c <= 0;
    case Op::gt:
      return *c > 0;
    case Op::ge:
      return *c >= 0;
    default:
      return false;
  }
}

}  // namespace bylaw::check
