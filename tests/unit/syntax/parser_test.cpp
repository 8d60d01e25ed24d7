#include <catch2/catch.hpp>

#include "bylaw/syntax/parser.hpp"

using namespace bylaw;
using namespace bylaw::syntax;

namespace {

struct Parsed {
  SourceSet sources;
  Diagnostics diagnostics;
  File file;
};

Parsed parse_text(const std::string& text) {
  Parsed p;
  FileId id = p.sources.add("test.rules", text);
  p.file = parse(p.sources, id, p.diagnostics);
  return p;
}

Parsed parse_clean(const std::string& text) {
  Parsed p = parse_text(text);
  INFO(p.diagnostics.render(p.sources));
  REQUIRE_FALSE(p.diagnostics.has_errors());
  return p;
}

// The where-condition of a minimal rule, fully parenthesised.
std::string expr_of(const std::string& expr) {
  Parsed p = parse_clean("rule r {\n on a.b as e\n where " + expr +
                         "\n then alert x on e.y severity low say \"m\"\n}\n");
  REQUIRE(p.file.rules.size() == 1);
  const auto& where = std::get<WhereClause>(p.file.rules[0].clauses.at(0));
  return to_string(*where.condition);
}

std::string first_error(const std::string& text) {
  Parsed p = parse_text(text);
  REQUIRE(p.diagnostics.has_errors());
  const Diagnostic& d = p.diagnostics.all().front();
  LineColumn at = p.sources.file(d.span.file).position(d.span.begin);
  return std::to_string(at.line) + ":" + std::to_string(at.column) + " " + d.message + " | " +
         d.expected;
}

}  // namespace

TEST_CASE("event declarations with every field type", "[syntax]") {
  Parsed p = parse_clean(R"(
event order.placed {
  who: id   note: string   count_: int   price: number   flag: bool
  at: time  wait: duration  kind: enum(a, b, c)  tags: set<string>
  rating: int? in 1..5
  score: int? in -3..10,
}
)");
  REQUIRE(p.file.events.size() == 1);
  const EventDecl& event = p.file.events[0];
  CHECK(event.name.name == "order.placed");
  REQUIRE(event.fields.size() == 11);
  CHECK(event.fields[0].name.name == "who");
  CHECK(event.fields[0].type.base.name == "id");
  CHECK(event.fields[7].type.base.name == "enum");
  CHECK(event.fields[7].type.enum_values.size() == 3);
  CHECK(event.fields[8].type.base.name == "set");
  CHECK(event.fields[8].type.element->name == "string");
  CHECK(event.fields[9].type.optional);
  CHECK(to_string(**event.fields[9].type.range_low) == "1");
  CHECK(to_string(**event.fields[10].type.range_low) == "(-3)");
}

TEST_CASE("parameters - with and without defaults", "[syntax]") {
  Parsed p = parse_clean(R"(
param window: duration = 365d
param minimum: number = 100
param reasons: set<string> = {skills, "two words"}
param pending: int
)");
  REQUIRE(p.file.params.size() == 4);
  CHECK(to_string(*p.file.params[0].default_value) == "365d");
  CHECK(to_string(*p.file.params[2].default_value) == "{skills, \"two words\"}");
  CHECK(p.file.params[3].default_value == nullptr);
}

TEST_CASE("use lists one or more files", "[syntax]") {
  Parsed p = parse_clean("use \"a.rules\"\nuse \"b.rules\", \"c.rules\"\n");
  REQUIRE(p.file.uses.size() == 2);
  CHECK(p.file.uses[1].paths.size() == 2);
  CHECK(p.file.uses[1].paths[1].value == "c.rules");
}

TEST_CASE("policy packs: version - use - set - mode", "[syntax]") {
  Parsed p = parse_clean(R"(
policy market version "2026.11" {
  use "../rules/a.rules", "../rules/b.rules"
  set min_clients = 3, window = 365d
  set reasons = {a, b}
  mode r1 = shadow, r2 = off
}
)");
  REQUIRE(p.file.policies.size() == 1);
  const PolicyDecl& policy = p.file.policies[0];
  CHECK(policy.name.name == "market");
  CHECK(policy.version.value == "2026.11");
  CHECK(policy.uses.size() == 1);
  REQUIRE(policy.sets.size() == 3);
  CHECK(policy.sets[1].name.name == "window");
  REQUIRE(policy.modes.size() == 2);
  CHECK(policy.modes[1].mode.name == "off");
}

TEST_CASE("expression precedence: or < and < not < comparison < + < *", "[syntax]") {
  CHECK(expr_of("a or b and c") == "(a or (b and c))");
  CHECK(expr_of("not a and b") == "((not a) and b)");
  CHECK(expr_of("a + b * c == d") == "((a + (b * c)) == d)");
  CHECK(expr_of("(a or b) and c") == "((a or b) and c)");
  CHECK(expr_of("a - b - c > 0") == "(((a - b) - c) > 0)");
  CHECK(expr_of("-x < 3") == "((-x) < 3)");
  CHECK(expr_of("not not a") == "(not (not a))");
}

TEST_CASE("comparisons - membership and presence tests", "[syntax]") {
  CHECK(expr_of("e.x != 2") == "(e.x != 2)");
  CHECK(expr_of("e.x >= 2.5") == "(e.x >= 2.5)");
  CHECK(expr_of("e.kind in {fixed, hourly}") == "(e.kind in {fixed, hourly})");
  CHECK(expr_of("e.tags has urgent") == "(e.tags has urgent)");
  CHECK(expr_of("e.tags has any {a, b}") == "(e.tags has any {a, b})");
  CHECK(expr_of("e.tags has all {a, \"b c\"}") == "(e.tags has all {a, \"b c\"})");
  CHECK(expr_of("e.rating is absent") == "(e.rating is absent)");
  CHECK(expr_of("e.rating is present or e.x") == "((e.rating is present) or e.x)");
}

TEST_CASE("literals: durations - numbers - strings - booleans - sets - calls", "[syntax]") {
  CHECK(expr_of("e.time > c.time + 14d") == "(e.time > (c.time + 14d))");
  CHECK(expr_of("e.wait == 1d12h") == "(e.wait == 1d12h)");
  CHECK(expr_of("e.wait < 6mo") == "(e.wait < 6mo)");
  CHECK(expr_of("e.s == \"a \\\"quoted\\\" word\"") == "(e.s == \"a \"quoted\" word\")");
  CHECK(expr_of("true or false") == "(true or false)");
  CHECK(expr_of("held(e.who, blocked)") == "held(e.who, blocked)");
  CHECK(expr_of("exists(x) and size(x) > 1") == "(exists(x) and (size(x) > 1))");
  CHECK(expr_of("e.tags has any {}") == "(e.tags has any {})");
}

TEST_CASE("a rule with every clause kind", "[syntax]") {
  Parsed p = parse_clean(R"(
rule full {
  on feedback.submitted as f
  let close = latest contract.closed as c where c.contract == f.contract
  let recent = earlier alert spam on f.client within 24h
  let twice = f.time + 1d
  where f.direction == client_to_freelancer
  exclude "zero-dollar contract" when close.earned == 0
  count distinct f.client per f.freelancer over 365d after released_at(f.freelancer, b) as n
  count per f.freelancer over 30d as plain
  sum f.amount per f.client over 7d as total
  when n >= 3 and not held(f.freelancer, b)
  then hold b on f.freelancer scope [proposals, new_contracts] appeal after 6mo
         evidence n, close
         say "{n} clients"
       alert spam on f.client severity high evidence first of n say "x"
       release b on f.freelancer say "lifted"
       postpone appeal b on f.freelancer until f.time + 6mo
}
)");
  REQUIRE(p.file.rules.size() == 1);
  const RuleDecl& rule = p.file.rules[0];
  CHECK(rule.name.name == "full");
  CHECK(rule.trigger.type.name == "feedback.submitted");
  CHECK(rule.trigger.alias.name == "f");
  CHECK_FALSE(rule.trigger.timer);
  REQUIRE(rule.clauses.size() == 9);
  const auto& latest = std::get<LatestQuery>(std::get<LetClause>(rule.clauses[0]).value);
  CHECK(latest.type.name == "contract.closed");
  CHECK(to_string(*latest.condition) == "(c.contract == f.contract)");
  const auto& earlier = std::get<EarlierQuery>(std::get<LetClause>(rule.clauses[1]).value);
  CHECK(earlier.kind.name == "alert");
  CHECK(to_string(*earlier.within) == "24h");
  CHECK(std::holds_alternative<ExprPtr>(std::get<LetClause>(rule.clauses[2]).value));
  const auto& exclude = std::get<ExcludeClause>(rule.clauses[4]);
  CHECK(exclude.reason.value == "zero-dollar contract");
  const auto& distinct = std::get<AggregateClause>(rule.clauses[5]);
  CHECK(distinct.function.name == "count");
  CHECK(distinct.distinct);
  CHECK(to_string(*distinct.after) == "released_at(f.freelancer, b)");
  const auto& plain = std::get<AggregateClause>(rule.clauses[6]);
  CHECK_FALSE(plain.distinct);
  CHECK(plain.value == nullptr);
  CHECK(std::get<AggregateClause>(rule.clauses[7]).function.name == "sum");
  REQUIRE(rule.actions.size() == 4);
  CHECK(rule.actions[0].kind == ActionKind::hold);
  REQUIRE(rule.actions[0].scope);
  CHECK(rule.actions[0].scope->size() == 2);
  REQUIRE(rule.actions[0].appeal);
  CHECK(to_string(*rule.actions[0].appeal->after) == "6mo");
  CHECK(rule.actions[0].evidence.size() == 2);
  CHECK(rule.actions[1].kind == ActionKind::alert);
  CHECK(rule.actions[1].severity->name == "high");
  CHECK(rule.actions[1].evidence[0].first_per_value);
  CHECK(rule.actions[2].kind == ActionKind::release);
  CHECK(rule.actions[3].kind == ActionKind::postpone);
  CHECK(to_string(*rule.actions[3].until) == "(f.time + 6mo)");
}

TEST_CASE("eligibility: ordered denies - an unconditional deny - allow", "[syntax]") {
  Parsed p = parse_clean(R"(
rule e {
  on dispute.opened as d
  then eligibility dispute on d.contract evidence d
    deny no_submission when d.x is absent say "none"
    deny too_early when d.time < d.at until d.at evidence d say "later"
    allow evidence d say "ok"
}
rule f {
  on appeal.resolved as r
  then eligibility appeal on r.subject
    deny denied until r.time + 6mo say "denied"
}
rule timer_rule {
  on timer hold.appeal_due as h
  then eligibility appeal on h.subject allow say "open"
}
)");
  REQUIRE(p.file.rules.size() == 3);
  const Action& e = p.file.rules[0].actions[0];
  REQUIRE(e.denies.size() == 2);
  CHECK(e.denies[0].reason.name == "no_submission");
  CHECK(e.denies[1].until != nullptr);
  CHECK(e.allow.has_value());
  const Action& f = p.file.rules[1].actions[0];
  CHECK(f.denies[0].condition == nullptr);
  CHECK_FALSE(f.allow.has_value());
  CHECK(p.file.rules[2].trigger.timer);
}

TEST_CASE("comments run to the end of the line", "[syntax]") {
  Parsed p = parse_clean("# a comment\nparam x: int = 3 # trailing\n# last");
  CHECK(p.file.params.size() == 1);
}

TEST_CASE("spans point at the source", "[syntax]") {
  Parsed p = parse_clean(
      "param x: int = 3\nrule r {\n  on a.b as e\n  then alert q on e.y severity low say "
      "\"m\"\n}\n");
  const SourceFile& file = p.sources.file(p.file.id);
  const RuleDecl& rule = p.file.rules[0];
  CHECK(file.position(rule.span.begin).line == 2);
  CHECK(file.position(rule.span.end).line == 5);
  CHECK(file.slice(rule.trigger.span) == "on a.b as e");
  CHECK(file.slice(rule.actions[0].subject->span) == "e.y");
}

TEST_CASE("syntax errors say what was expected - where", "[syntax][errors]") {
  CHECK(first_error("rule r (\n") == "1:8 unexpected '(' | '{'");
  CHECK(first_error("rule r {\n  on a.b f\n}") == "2:10 unexpected 'f' | 'as'");
  CHECK(first_error("rule r {\n  on a.b as f\n  wher x\n}") ==
        "3:3 unexpected 'wher' | a clause (let, where, exclude, count, sum, when) or 'then'");
  CHECK(first_error("param x: int = (1 + 2\n") == "2:1 unexpected end of file | ')'");
  CHECK(first_error("frobnicate\n") ==
        "1:1 unexpected 'frobnicate' | a declaration: use, event, param, def, rule, scope, hold, "
        "alert, eligibility or policy");
  CHECK(first_error("rule r {\n  on a.b as f\n  then hold x on f.y appeal say \"m\"\n}") ==
        "3:29 unexpected 'say' | 'after'");
  CHECK(first_error("hold x {\n  display \"X\"\n}\n") ==
        "3:1 unexpected '}' | `appeal after <duration>` or `not appealable` (a hold declaration "
        "reads: display, scope, appeal, expires)");
  CHECK(first_error("hold x { not appealable expires 30d }") == "1:33 unexpected '30d' | 'after'");
  CHECK(first_error("alert a { shown account }") == "1:17 unexpected 'account' | 'to'");
  CHECK(first_error("scope s\n") == "2:1 unexpected end of file | a string");
}

TEST_CASE("a bad token is reported at the token", "[syntax][errors]") {
  CHECK(first_error("param w: duration = 30x\n") ==
        "1:21 bad duration literal '30x' | a whole number followed by a unit s, m, h, d, w or mo "
        "(30d, 24h, 6mo)");
  CHECK(first_error("param w: duration = 1.5d\n").rfind("1:21 bad duration literal '1.5d'", 0) ==
        0);
  CHECK(first_error("param s: string = \"open\nparam t: int = 1\n") ==
        "1:19 unterminated string | a closing '\"' before the end of the line");
  CHECK(first_error("param s: string = \"a\\qb\"\n").rfind("1:21 unknown escape", 0) == 0);
  CHECK(first_error("param i: int = 99999999999999999999\n").rfind("1:16 integer literal", 0) == 0);
}

TEST_CASE("after an error the parser resumes at the next declaration", "[syntax][errors]") {
  Parsed p = parse_text(R"(param a: int = 30x
param b: int = 2
rule broken {
  on a.b f
}
rule fine {
  on a.b as e
  then alert q on e.y severity low say "m"
}
param c: string = "open
)");
  CHECK(p.diagnostics.error_count() == 3);
  CHECK(p.file.params.size() == 1);  // b
  REQUIRE(p.file.rules.size() == 1);
  CHECK(p.file.rules[0].name.name == "fine");
}

// Hostile policy input: nesting is bounded so that neither the parser nor the stages after it
// can run out of stack, whatever the file holds.
namespace {

std::string rule_with_condition(const std::string& condition) {
  return "rule r {\n on a.b as e\n where " + condition +
         "\n then alert x on e.y severity low say \"m\"\n}\n";
}

std::string repeated(const std::string& piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("expressions nested up to the limit parse", "[syntax]") {
  std::size_t depth = kMaxExpressionDepth - 4;
  parse_clean(rule_with_condition(repeated("(", depth) + "e.x" + repeated(")", depth) + " == 1"));
  parse_clean(rule_with_condition(repeated("not ", depth) + "e.x"));
  parse_clean(rule_with_condition("e.x" + repeated(" + e.x", depth) + " == 1"));
}

TEST_CASE("parentheses 100000 deep are an error where the limit is passed", "[syntax]") {
  std::string text = rule_with_condition(repeated("(", 100000) + "e.x" + repeated(")", 100000));
  std::string column = std::to_string(9 + kMaxExpressionDepth);
  CHECK(first_error(text) == "3:" + column + " expression nested too deeply | " + "at most " +
                                 std::to_string(kMaxExpressionDepth) +
                                 " levels of operators, parentheses, calls and sets");
}

TEST_CASE("prefix operators, long chains and sets nested too deeply are errors", "[syntax]") {
  auto message = [](const std::string& condition) {
    std::string error = first_error(rule_with_condition(condition));
    return error.substr(error.find(' ') + 1);
  };
  std::string expected = "expression nested too deeply | at most " +
                         std::to_string(kMaxExpressionDepth) +
                         " levels of operators, parentheses, calls and sets";
  CHECK(message(repeated("not ", 100000) + "e.x") == expected);
  CHECK(message(repeated("-", 100000) + "e.x == 1") == expected);
  CHECK(message("e.x" + repeated(" + e.x", 100000) + " == 1") == expected);
  CHECK(message("e.x" + repeated(" or e.x", 100000)) == expected);
  CHECK(message(repeated("f(", 100000) + "1" + repeated(")", 100000)) == expected);
  CHECK(message("e.x in " + repeated("{", 100000) + "1" + repeated("}", 100000)) == expected);
}

TEST_CASE("on decision names a kind and a name - a def may be about several events",
          "[syntax][reaction][def]") {
  Parsed p = parse_clean(R"(
def late(f: feedback.submitted, close: contract.closed): bool = f.time > close.time
rule r {
  on decision hold proposals_blocked as d
  then schedule lapse on d.subject after 12mo
}
)");
  REQUIRE(p.file.rules.size() == 1);
  const Trigger& trigger = p.file.rules[0].trigger;
  REQUIRE(trigger.decision_kind.has_value());
  CHECK(trigger.decision_kind->name == "hold");
  CHECK(trigger.type.name == "proposals_blocked");
  CHECK_FALSE(trigger.timer);
  REQUIRE(p.file.defs.size() == 1);
  REQUIRE(p.file.defs[0].params.size() == 2);
  CHECK(p.file.defs[0].params[1].alias.name == "close");
  CHECK(p.file.defs[0].params[1].type.name == "contract.closed");
}
