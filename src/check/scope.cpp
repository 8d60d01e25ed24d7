#include "scope.hpp"

#include <algorithm>

#include "context.hpp"

namespace bylaw::check {

std::optional<std::uint32_t> RuleScope::find_let(const std::string& name) const {
  for (std::size_t i = 0; i < rule.lets.size(); ++i) {
    if (rule.lets[i].name == name) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

std::vector<std::string> RuleScope::visible_names(const Policy& policy) const {
  std::vector<std::string> names;
  names.push_back(rule.alias);
  if (candidate_alias) names.push_back(*candidate_alias);
  for (const auto& local : rule.lets) names.push_back(local.name);
  for (const auto& param : policy.params) names.push_back(param.name);
  return names;
}

namespace {

template <class Predicate>
bool any_node(const TExpr& expr, const Predicate& predicate) {
  if (predicate(expr)) return true;
  return std::any_of(expr.args.begin(), expr.args.end(),
                     [&](const TExpr& arg) { return any_node(arg, predicate); });
}

}  // namespace

bool refers_to_candidate(const TExpr& expr) {
  return any_node(expr, [](const TExpr& e) { return e.kind == TExpr::Kind::candidate; });
}

bool refers_to_outer(const TExpr& expr) {
  return any_node(expr, [](const TExpr& e) {
    return e.kind == TExpr::Kind::event || e.kind == TExpr::Kind::let;
  });
}

bool depends_on_aggregates(const TExpr& expr, const Rule& rule) {
  return any_node(expr, [&](const TExpr& e) {
    return e.kind == TExpr::Kind::let && rule.lets[e.index].after_aggregates;
  });
}

std::string one_of(const std::vector<std::string>& names) {
  if (names.empty()) return "nothing is declared";
  std::string out = names.size() == 1 ? "" : "one of ";
  std::size_t shown = std::min<std::size_t>(names.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  if (shown < names.size()) out += ", ...";
  return out;
}

}  // namespace bylaw::check
