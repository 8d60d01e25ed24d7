// The coverage report of `bylaw test --coverage`: every clause of every rule, and how often the
// tests exercised it.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/author/policy_test.hpp"

namespace bylaw::author {

namespace {

using check::TExpr;

struct Builder {
  const check::Policy& policy;
  const RuleCoverage& counts;
  RuleCoverageReport& out;

  void add(std::string kind, std::string text, Span span, std::uint64_t count) {
    const SourceFile& file = policy.sources->file(span.file);
    std::string first_line = text.substr(0, text.find('\n'));
    out.clauses.push_back({std::move(kind), std::move(first_line), file.path(),
                           file.position(span.begin).line, count});
  }

  // Each side of each `or` inside `expr`, outermost first.
  void ors(const TExpr& expr) {
    if (expr.kind == TExpr::Kind::binary && expr.op == syntax::Op::logical_or) {
      auto it = counts.or_sides.find({expr.span.file, expr.span.begin});
      std::array<std::uint64_t, 2> sides{0, 0};
      if (it != counts.or_sides.end()) sides = it->second;
      add("or", expr.args[0].text, expr.args[0].span, sides[0]);
      add("or", expr.args[1].text, expr.args[1].span, sides[1]);
    }
    for (const auto& arg : expr.args) ors(arg);
  }
};

// The clause as written, line ends and all (a report shows it as the author wrote it).
std::string written_source(const check::Policy& policy, Span span) {
  const std::string& text = policy.sources->file(span.file).text();
  return text.substr(span.begin, span.end - span.begin);
}

}  // namespace

std::vector<RuleCoverageReport> coverage_report(const check::Policy& policy,
                                                const Coverage& coverage) {
  std::vector<RuleCoverageReport> report;
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const check::Rule& rule = policy.rules[r];
    if (rule.mode == check::Mode::off) continue;  // never evaluated: nothing to cover
    const RuleCoverage& counts = coverage.rules[r];
    RuleCoverageReport& out = report.emplace_back();
    out.rule = rule.name;
    Builder b{policy, counts, out};
    for (const auto& let : rule.lets) {
      if (let.value) b.ors(*let.value);
    }
    for (std::size_t g = 0; g < rule.guards.size(); ++g) {
      b.add("where", rule.guards[g].text, rule.guards[g].span, counts.guards[g]);
      b.ors(rule.guards[g]);
    }
    for (std::size_t x = 0; x < rule.exclusions.size(); ++x) {
      const auto& exclusion = rule.exclusions[x];
      b.add("exclude", "\"" + exclusion.reason + "\" when " + exclusion.condition.text,
            exclusion.span, counts.exclusions[x]);
      b.ors(exclusion.condition);
    }
    for (std::size_t c = 0; c < rule.conditions.size(); ++c) {
      b.add("when", rule.conditions[c].text, rule.conditions[c].span, counts.conditions[c]);
      b.ors(rule.conditions[c]);
    }
    for (std::size_t a = 0; a < rule.actions.size(); ++a) {
      const auto& action = rule.actions[a];
      const auto& outcomes = counts.outcomes[a];
      if (action.kind != check::ActionKind::eligibility) {
        b.add("action", written_source(policy, action.span), action.span, outcomes[0]);
        continue;
      }
      for (std::size_t d = 0; d < action.denies.size(); ++d) {
        const auto& deny = action.denies[d];
        b.add("deny", deny.reason + (deny.condition ? " when " + deny.condition->text : ""),
              deny.span, outcomes[d]);
        if (deny.condition) b.ors(*deny.condition);
      }
      if (action.allow) {
        b.add("allow", "allow", action.allow->span, outcomes[action.denies.size()]);
      }
    }
  }
  return report;
}

std::string render_coverage_text(const std::string& pack,
                                 const std::vector<RuleCoverageReport>& report) {
  std::size_t total = 0;
  std::size_t covered = 0;
  std::string body;
  for (const auto& rule : report) {
    body += fmt::format("  rule {}\n", rule.rule);
    for (const auto& clause : rule.clauses) {
      ++total;
      if (clause.count > 0) ++covered;
      body += fmt::format("    {:>6}  {:<7} {}  ({}:{})\n",
                          clause.count > 0 ? fmt::format("{}x", clause.count) : "NEVER",
                          clause.kind, clause.text, clause.file, clause.line);
    }
  }
  double percent = total ? 100.0 * static_cast<double>(covered) / static_cast<double>(total) : 100;
  return fmt::format("coverage of {}: {} of {} clauses exercised ({:.0f}%)\n{}", pack, covered,
                     total, percent, body);
}

std::string render_coverage_json(const std::string& pack,
                                 const std::vector<RuleCoverageReport>& report) {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  std::size_t total = 0;
  std::size_t covered = 0;
  for (const auto& rule : report) {
    nlohmann::ordered_json clauses = nlohmann::ordered_json::array();
    for (const auto& clause : rule.clauses) {
      ++total;
      if (clause.count > 0) ++covered;
      clauses.push_back({{"kind", clause.kind},
                         {"text", clause.text},
                         {"file", clause.file},
                         {"line", clause.line},
                         {"count", clause.count}});
    }
    rules.push_back({{"rule", rule.rule}, {"clauses", std::move(clauses)}});
  }
  nlohmann::ordered_json out;
  out["policy"] = pack;
  out["clauses"] = total;
  out["covered"] = covered;
  out["rules"] = std::move(rules);
  return out.dump(2);
}

}  // namespace bylaw::author
