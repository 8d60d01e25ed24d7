#include <map>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/check/checker.hpp"

using namespace bylaw;
using namespace bylaw::check;

namespace {

const char* kSchema = R"(
event order.placed {
  order: id   buyer: id   seller: id
  kind: enum(fixed, hourly)
  amount: number
  rating: int? in 1..5
  tags: set<string>
}
event order.closed { order: id  buyer: id  earned: number  outcome: enum(completed, cancelled) }
)";

LoadResult load(const std::map<std::string, std::string>& files) {
  return testing::load_pack(files);
}

// A pack using the schema plus `rules` (and `pack_body` inside the policy block).
LoadResult load_rules(const std::string& rules, const std::string& pack_body = "") {
  return load({{"pack.policy", "policy p version \"1\" {\n  use \"schema.rules\", \"r.rules\"\n" +
                                   pack_body + "\n}\n"},
               {"schema.rules", kSchema},
               {"r.rules", rules}});
}

const Policy& ok(const LoadResult& result) {
  INFO(result.render());
  REQUIRE(result.policy.has_value());
  return *result.policy;
}

// Every rendered diagnostic, for matching.
std::string all(const LoadResult& result) {
  return result.render();
}

void require_error(const LoadResult& result, const std::string& message) {
  INFO(all(result));
  CHECK_FALSE(result.policy.has_value());
  CHECK(all(result).find(message) != std::string::npos);
}

const char* kHoldRule = R"(
rule block {
  on order.placed as o
  then hold blocked on o.seller appeal after 6mo say "held"
}
)";

}  // namespace

TEST_CASE("a checked rule resolves its trigger - lets - aggregates and actions", "[check]") {
  LoadResult result1 = load_rules(R"(
param window: duration = 30d
param minimum: int = 2
scope orders "taking orders"
rule many_orders {
  on order.placed as o
  let close = latest order.closed as c where c.order == o.order and c.earned > 0
  where o.kind == fixed and o.tags has any {rush, gift}
  exclude "small order" when o.amount < 10
  count distinct o.buyer per o.seller over window as buyers
  when buyers >= minimum
  then hold blocked on o.seller scope [orders] appeal after 6mo evidence buyers, close
    say "{buyers} buyers"
}
)",
                                  "set minimum = 5");
  const Policy& policy = ok(result1);
  REQUIRE(policy.rules.size() == 1);
  const Rule& rule = policy.rules[0];
  CHECK(rule.name == "many_orders");
  CHECK(policy.schema.types[rule.trigger_type.value()].name == "order.placed");
  CHECK(rule.alias == "o");
  CHECK(rule.mode == Mode::enforce);
  REQUIRE(rule.correlations.size() == 1);
  const Correlation& close = rule.correlations[0];
  REQUIRE(close.key_slots.size() == 1);
  CHECK(close.key_slots[0] == 0);  // order.closed.order
  CHECK(close.probes[0].text == "o.order");
  REQUIRE(close.filter.has_value());
  CHECK(close.filter->text == "c.earned > 0");
  REQUIRE(rule.aggregates.size() == 1);
  CHECK(rule.aggregates[0].distinct);
  CHECK(rule.aggregates[0].key.text == "o.seller");
  CHECK(rule.guards.size() == 1);
  CHECK(rule.exclusions.size() == 1);
  CHECK(rule.exclusions[0].reason == "small order");
  CHECK(rule.conditions.size() == 1);
  REQUIRE(rule.actions.size() == 1);
  const ActionDef& hold = rule.actions[0];
  CHECK(hold.kind == ActionKind::hold);
  CHECK(hold.static_name == "blocked");
  CHECK(hold.scope == std::vector<std::string>{"orders"});
  REQUIRE(hold.evidence.size() == 2);
  CHECK(hold.evidence[0].kind == EvidenceRef::Kind::let);
  REQUIRE(hold.message.has_value());
  CHECK(hold.message->parts.size() == 2);
  CHECK(hold.message->parts[0].value->text == "buyers");
  CHECK(hold.message->parts[1].text == " buyers");
  // The pack's value wins over the default, and both parameters are recorded as used.
  CHECK(std::get<std::int64_t>(policy.params[policy.find_param("minimum").value()].value) == 5);
  CHECK(rule.params_used.size() == 2);
  CHECK(policy.hash.size() == 64);
}

TEST_CASE("enum values - optional fields and types are inferred", "[check]") {
  LoadResult result2 = load_rules(R"(
rule typed {
  on order.placed as o
  let close = latest order.closed as c where c.order == o.order
  let late = o.time > close.time + 14d
  where o.rating <= 2 and o.kind in {fixed, hourly} and "fixed" == o.kind
  when late or close is absent or o.rating is present
  then alert odd on o.buyer severity medium say "x"
}
)");
  const Policy& policy = ok(result2);
  const Rule& rule = policy.rules[0];
  const TExpr& guard = rule.guards[0];
  // ((rating <= 2) and (kind in {...})) and ("fixed" == kind)
  const TExpr& quoted = guard.args[1];
  CHECK(std::get<EnumValue>(quoted.args[0].literal).index == 0);
  const TExpr& rating = guard.args[0].args[0].args[0];
  CHECK(rating.type.kind == TypeKind::integer);
  CHECK(rating.type.optional);
  CHECK(rule.lets[1].type.kind == TypeKind::boolean);
  CHECK(rule.lets[0].type.kind == TypeKind::record);
  CHECK(rule.lets[0].type.optional);
}

TEST_CASE("modes and the marketplace of outputs", "[check]") {
  LoadResult result3 = load_rules(std::string(kHoldRule) + R"(
rule lift {
  on order.closed as c
  where held(c.buyer, blocked)
  let recent = earlier hold blocked on c.buyer within 1d
  when not exists(recent) and size(recent) == 0
  then release blocked on c.buyer say "lifted"
}
rule opens {
  on timer hold.appeal_due as h
  then eligibility appeal on h.subject allow say "open"
}
)",
                                  "mode lift = shadow, opens = off");
  const Policy& policy = ok(result3);
  CHECK(policy.rules[policy.find_rule("lift").value()].mode == Mode::shadow);
  CHECK(policy.rules[policy.find_rule("opens").value()].mode == Mode::off);
  const Rule& timer = policy.rules[policy.find_rule("opens").value()];
  CHECK(timer.timer);
  CHECK(timer.actions[0].allow->evidence.empty());  // a timer cites no event
}

TEST_CASE("unknown event types - fields and names are errors", "[check][errors]") {
  require_error(
      load_rules(
          "rule r {\n on order.plcaed as o\n then alert a on o.buyer severity low say \"x\"\n}"),
      "unknown event type 'order.plcaed'");
  require_error(load_rules("rule r {\n on order.placed as o\n where o.byuer == o.seller\n then "
                           "alert a on o.buyer severity low say \"x\"\n}"),
                "unknown field 'byuer' on order.placed");
  require_error(load_rules("rule r {\n on order.placed as o\n when o.amount > limit\n then alert a "
                           "on o.buyer severity low say \"x\"\n}"),
                "undefined name 'limit'");
  require_error(load_rules("rule r {\n on order.placed as o\n where o.kind == weekly\n then alert "
                           "a on o.buyer severity low say \"x\"\n}"),
                "'weekly' is not a value of enum(fixed, hourly)");
}

TEST_CASE("type mismatches are errors", "[check][errors]") {
  auto rule = [](const std::string& condition) {
    return load_rules("rule r {\n on order.placed as o\n where " + condition +
                      "\n then alert a on o.buyer severity low say \"x\"\n}");
  };
  require_error(rule("o.kind == 3"), "cannot compare enum(fixed, hourly) with int");
  require_error(rule("o.time - o.time > 30"), "cannot compare duration with int");
  require_error(rule("o.time > o.time + 3"), "`+` is not defined for time and int");
  require_error(rule("o.amount"), "`where` must be a condition, but 'o.amount' is number");
  require_error(rule("o.kind < hourly"), "have no order");
  require_error(rule("o.amount is absent"), "'o.amount' is never absent");
  require_error(rule("o.buyer has x"), "needs a set<string> on its left");
  require_error(rule("held(o.buyer)"), "held takes 2 arguments");
  require_error(rule("frob(o.buyer)"), "unknown function 'frob'");
}

TEST_CASE("declarations are unique", "[check][errors]") {
  require_error(load_rules(std::string(kHoldRule) + kHoldRule), "duplicate rule 'block'");
  require_error(load_rules("param a: int = 1\nparam a: int = 2\n"), "duplicate parameter 'a'");
  require_error(load_rules("event x.y { a: id  a: int }"), "duplicate field 'a'");
  require_error(load_rules("event order.placed { a: id }"), "duplicate event type 'order.placed'");
  require_error(load_rules("event x.y { time: id }"), "'time' is an envelope attribute");
}

TEST_CASE("the pack's settings are checked against the rules", "[check][errors]") {
  require_error(
      load_rules("param w: duration = 1d\nrule r {\n on order.placed as o\n count per o.buyer over "
                 "w as n\n then alert a on o.buyer severity low say \"x\"\n}",
                 "set w = 5"),
      "type mismatch: parameter 'w' is duration, but its value is an int (5)");
  require_error(load_rules(kHoldRule, "set nothing = 5"), "undefined parameter 'nothing'");
  require_error(load_rules(kHoldRule, "mode blokc = shadow"), "undefined rule 'blokc'");
  require_error(load_rules(kHoldRule, "mode block = loud"), "unknown mode 'loud'");
  require_error(load_rules("param pending: int\nrule r {\n on order.placed as o\n when o.amount > "
                           "pending\n then alert a on o.buyer severity low say \"x\"\n}"),
                "parameter 'pending' has no value");
}

TEST_CASE("holds - alerts and decisions must be made by some rule", "[check][errors]") {
  require_error(
      load_rules("rule r {\n on order.closed as c\n then release ghost on c.buyer say \"x\"\n}"),
      "release names hold 'ghost', which no rule places");
  require_error(load_rules("rule r {\n on order.closed as c\n where held(c.buyer, ghost)\n then "
                           "alert a on c.buyer severity low say \"x\"\n}"),
                "held() names hold 'ghost', which no rule places");
  require_error(load_rules("rule r {\n on order.closed as c\n let x = earlier alert nope on "
                           "c.buyer\n then alert a on c.buyer severity low say \"x\"\n}"),
                "no rule makes alert 'nope'");
}

TEST_CASE("files: missing - cycles - policies in the wrong place", "[check][errors]") {
  require_error(load({{"pack.policy", "policy p version \"1\" { use \"gone.rules\" }"}}),
                "cannot read 'gone.rules': No such file or directory");
  require_error(load({{"pack.policy", "policy p version \"1\" { use \"a.rules\" }"},
                      {"a.rules", "use \"b.rules\""},
                      {"b.rules", "use \"a.rules\""}}),
                "cycle of use: a.rules uses b.rules uses a.rules");
  require_error(load({{"pack.policy", "param x: int = 1"}}), "is not a policy pack");
  require_error(load({{"pack.policy", "policy p version \"1\" { use \"a.rules\" }"},
                      {"a.rules", "policy q version \"2\" { }"}}),
                "policy 'q' is declared in a used file");
  // A reader that answers every path ending in x.rules with the same file, as a symbolic link
  // loop does: the chain of uses is bounded.
  auto endless = [](const std::string& path, std::string&) -> std::optional<std::string> {
    if (path == "pack.policy") return std::string("policy p version \"1\" { use \"a/x.rules\" }");
    return std::string("use \"a/x.rules\"");
  };
  LoadResult deep = load_policy("pack.policy", FileFunction(endless));
  CHECK_FALSE(deep.policy);
  CHECK(deep.render().find("error: use chain deeper than 64 files") != std::string::npos);
  // Two such uses per file: without a bound on the files, 2^64 of them.
  auto branching = [](const std::string& path, std::string&) -> std::optional<std::string> {
    if (path == "pack.policy") return std::string("policy p version \"1\" { use \"a/x.rules\" }");
    return std::string("use \"a/x.rules\", \"b/x.rules\"");
  };
  LoadResult wide = load_policy("pack.policy", FileFunction(branching));
  CHECK_FALSE(wide.policy);
  CHECK(wide.render().find("error: more than 1000 files in one policy") != std::string::npos);
  LoadResult missing = load({});
  CHECK_FALSE(missing.policy);
  CHECK(missing.fatal == "cannot read policy 'pack.policy': No such file or directory");
}

TEST_CASE("use paths are relative to the file that uses them", "[check]") {
  LoadResult result = load({{"pack.policy", "policy p version \"1\" { use \"rules/a.rules\" }"},
                            {"rules/a.rules", "use \"b.rules\"\n"},
                            {"rules/b.rules", kSchema}});
  const Policy& policy = ok(result);
  CHECK(policy.schema.find("order.placed") >= 0);
  CHECK(policy.sources->size() == 3);
}

TEST_CASE("aggregates: keys - windows and where they may be used", "[check][errors]") {
  require_error(load_rules("rule r {\n on order.placed as o\n count per o.sellr over 1d as n\n "
                           "then alert a on o.buyer severity low say \"x\"\n}"),
                "unknown field 'sellr' on order.placed: an aggregate cannot be keyed by a field "
                "the event lacks");
  require_error(load_rules("rule r {\n on order.placed as o\n count per o.rating over 1d as n\n "
                           "then alert a on o.buyer severity low say \"x\"\n}"),
                "an aggregate key must always be there");
  require_error(load_rules("rule r {\n on order.placed as o\n count per o.buyer over o.time - "
                           "o.time as n\n then alert a on o.buyer severity low say \"x\"\n}"),
                "the window of an aggregate must be known when the policy loads");
  require_error(load_rules("rule r {\n on order.placed as o\n count per o.buyer over 1d as n\n "
                           "where n > 2\n then alert a on o.buyer severity low say \"x\"\n}"),
                "'n' depends on an aggregate, which `where` cannot use");
  require_error(load_rules("rule r {\n on order.placed as o\n count per o.buyer over 1d as n\n "
                           "then alert a on o.buyer severity low evidence first of n say \"x\"\n}"),
                "`first of` needs a `count distinct` aggregate");
  require_error(load_rules("rule r {\n on timer hold.appeal_due as h\n count per h.subject over 1d "
                           "as n\n then eligibility appeal on h.subject allow say \"x\"\n}\n" +
                           std::string(kHoldRule)),
                "a timer rule cannot aggregate");
}

TEST_CASE("latest needs a key and a clean split of its condition", "[check][errors]") {
  require_error(
      load_rules("rule r {\n on order.placed as o\n let c = latest order.closed as k where "
                 "k.earned > 0\n then alert a on o.buyer severity low say \"x\"\n}"),
      "`latest` needs a key to find 'k' by");
  require_error(
      load_rules(
          "rule r {\n on order.placed as o\n let c = latest order.closed as k where k.order == "
          "o.order and k.earned > o.amount\n then alert a on o.buyer severity low say \"x\"\n}"),
      "`k.earned > o.amount` cannot be part of a `latest` condition");
}

TEST_CASE("actions are complete and well-formed", "[check][errors]") {
  require_error(load_rules("rule r {\n on order.placed as o\n then eligibility refund on o.order "
                           "deny small when o.amount < 5 say \"x\"\n}"),
                "eligibility 'refund' may decide nothing");
  require_error(
      load_rules(
          "rule r {\n on order.placed as o\n then alert a on o.buyer severity urgent say \"x\"\n}"),
      "unknown severity 'urgent'");
  require_error(load_rules("rule r {\n on order.placed as o\n then alert a on o.buyer severity low "
                           "say \"total {o.nope}\"\n}"),
                "unknown field 'nope' on order.placed");
  require_error(load_rules("rule r {\n on order.placed as o\n then alert a on o.buyer severity low "
                           "say \"bad {1x}\"\n}"),
                "bad placeholder in message");
  require_error(
      load_rules(
          "rule r {\n on order.placed as o\n then hold h on o.amount appeal after 1d say \"x\"\n}"),
      "the subject of an action must be id, but 'o.amount' is number");
  require_error(load_rules("rule r {\n on timer nope.due as h\n then alert a on h.subject severity "
                           "low say \"x\"\n}"),
                "unknown timer 'nope.due'");
}

TEST_CASE("warnings: unused parameters - rules that never fire - unreachable branches - leaks",
          "[check][warnings]") {
  LoadResult result = load_rules(R"(
param unused: int = 3
param limit: int = 0
rule never {
  on order.placed as o
  where limit > 1
  then eligibility refund on o.order
    deny always say "no"
    allow say "yes"
}
rule leaky {
  on order.placed as o
  then hold h on o.seller appeal after 1d say "because of {o.buyer}"
}
)");
  const Policy& policy = ok(result);  // warnings do not stop a policy from loading
  CHECK(policy.rules.size() == 2);
  std::string out = all(result);
  CHECK(result.diagnostics.warning_count() == 4);
  CHECK(out.find("parameter 'unused' is never used") != std::string::npos);
  CHECK(out.find("rule 'never' can never fire: `limit > 1` is always false") != std::string::npos);
  CHECK(out.find("this branch can never be reached") != std::string::npos);
  CHECK(out.find("the message shows 'o.buyer', an id that may identify another party") !=
        std::string::npos);
}

TEST_CASE("a timer rule with no hold to time can never fire", "[check][warnings]") {
  LoadResult result = load_rules(
      "rule opens {\n on timer hold.appeal_due as h\n then eligibility appeal on h.subject allow "
      "say \"x\"\n}");
  ok(result);
  CHECK(all(result).find("no rule places a hold") != std::string::npos);
}

TEST_CASE("every error is reported - and nothing is half loaded", "[check][errors]") {
  LoadResult result = load_rules(R"(
param a: duration = 30x
rule r1 {
  on order.placed as o
  where o.kind == 3
  then alert x on o.buyer severity low say "x"
}
rule r2 {
  on order.nothing as o
  then alert y on o.buyer severity low say "y"
}
)",
                                 "set b = 1");
  CHECK_FALSE(result.policy.has_value());
  CHECK(result.diagnostics.error_count() == 4);
}

TEST_CASE("a declared hold gives its actions their scope - appeal and expiry - and display text",
          "[check][declarations]") {
  LoadResult result = load_rules(R"(
param wait: duration = 6mo
scope orders "taking orders"
scope payouts "receiving payouts"
hold seller_blocked {
  display "Selling paused"
  scope [orders, payouts]
  appeal after wait
  expires after 12mo
}
hold frozen { not appealable }
alert odd { display "An odd order" shown to account }
alert quiet { display "For staff" }
eligibility refund { display "refund" }
rule block {
  on order.placed as o
  then hold seller_blocked on o.seller say "blocked"
       hold seller_blocked on o.buyer scope [orders] not appealable expires after 30d say "b"
       hold frozen on o.seller say "frozen"
       alert odd on o.seller severity low say "odd"
       alert quiet on o.seller severity low say "quiet"
       eligibility refund on o.order allow say "ok"
}
)");
  const Policy& policy = ok(result);
  CHECK(result.diagnostics.warning_count() == 0);
  const Rule& rule = policy.rules.at(0);
  const ActionDef& declared = rule.actions.at(0);
  CHECK(declared.scope == std::vector<std::string>{"orders", "payouts"});
  REQUIRE(declared.appeal_after.has_value());
  CHECK(declared.appeal_after->text == "wait");
  REQUIRE(declared.expires_after.has_value());
  CHECK(declared.expires_after->text == "12mo");
  CHECK(declared.display.name == "Selling paused");
  CHECK(declared.display.scope == std::vector<std::string>{"taking orders", "receiving payouts"});
  // The declaration's parameter shows in the traces of the rule that uses it.
  REQUIRE(rule.params_used.size() == 1);
  CHECK(policy.params[rule.params_used[0]].name == "wait");
  const ActionDef& overridden = rule.actions.at(1);
  CHECK(overridden.scope == std::vector<std::string>{"orders"});
  CHECK_FALSE(overridden.appeal_after.has_value());
  CHECK(overridden.expires_after->text == "30d");
  CHECK_FALSE(rule.actions.at(2).appeal_after.has_value());
  CHECK_FALSE(rule.actions.at(2).expires_after.has_value());
  CHECK(rule.actions.at(3).display.shown_to_account);
  CHECK(rule.actions.at(3).display.name == "An odd order");
  CHECK_FALSE(rule.actions.at(4).display.shown_to_account);  // alerts are for staff by default
  CHECK(rule.actions.at(5).display.name == "refund");
  CHECK(rule.actions.at(5).display.shown_to_account);
}

TEST_CASE("declarations are checked: scopes - appeal - expiry - duplicates - unused",
          "[check][declarations]") {
  require_error(load_rules(R"(
rule r {
  on order.placed as o
  then hold h on o.seller say "x"
}
)"),
                "r.rules:4:13: error: hold 'h' is not declared, so this action must say whether "
                "it can be appealed");
  require_error(load_rules(R"(
scope orders "taking orders"
hold h { scope [order] not appealable }
rule r {
  on order.placed as o
  then hold h on o.seller say "x"
}
)"),
                "unknown scope 'order'\n");
  CHECK(all(load_rules(R"(
scope orders "taking orders"
hold h { scope [order] not appealable }
)"))
            .find("expected: did you mean 'orders'?") != std::string::npos);
  require_error(load_rules(R"(
rule r {
  on order.placed as o
  then hold h on o.seller scope [orders] appeal after 1d say "x"
}
)"),
                "expected: a scope declared with `scope <name> \"<text>\"`");
  require_error(load_rules(R"(
hold h { appeal after 1d expires after o.amount }
)"),
                "= expected: a parameter\n");
  require_error(load_rules(R"(
rule r {
  on order.placed as o
  then hold h on o.seller not appealable expires after o.time - o.time say "x"
}
)"),
                "`expires after` must be known when the policy loads");
  require_error(load_rules("hold h { not appealable expires after 0d }\n"),
                "a hold cannot expire 0d after it is placed");
  require_error(load_rules("hold h { not appealable expires after -1d }\n"),
                "a hold cannot expire -1d after it is placed");
  require_error(load_rules("scope s \"S\"\nscope s \"T\"\n"), "duplicate scope 's'");
  require_error(load_rules("hold h { not appealable }\nhold h { not appealable }\n"),
                "duplicate hold 'h'");
  require_error(load_rules("scope s \" \"\n"), "a scope's display text is empty");
  LoadResult unused = load_rules("hold h { not appealable }\nalert a { display \"A\" }\n");
  ok(unused);
  CHECK(all(unused).find("hold 'h' is declared but no rule places it") != std::string::npos);
  CHECK(all(unused).find("alert 'a' is declared but no rule decides it") != std::string::npos);
}

TEST_CASE("a def is checked once and inlined where it is used - its trace shows the use",
          "[check][def]") {
  LoadResult result = load_rules(R"(
param small: number = 10
def big_order(o: order.placed): bool = o.amount > small and not is_rush(o)
def is_rush(o: order.placed): bool = o.tags has rush
def grace: duration = 30d + 1d
rule many {
  on order.placed as placed
  let close = latest order.closed as c where c.order == placed.order and c.earned > 0 within 30d
  where big_order(placed)
  when placed.time > placed.time - grace
  then alert big on placed.seller severity low say "big"
}
)");
  const Policy& policy = ok(result);
  CHECK(result.diagnostics.warning_count() == 0);
  const Rule& rule = policy.rules.at(0);
  const TExpr& guard = rule.guards.at(0);
  CHECK(guard.kind == TExpr::Kind::defined);
  CHECK(guard.text == "big_order(placed)");
  REQUIRE(guard.args.size() == 1);
  const TExpr& body = guard.args[0];
  CHECK(body.text == "o.amount > small and not is_rush(o)");
  // The def's event is the use's argument: here the rule's trigger event.
  CHECK(body.args[0].args[0].args[0].kind == TExpr::Kind::event);
  CHECK(body.args[1].args[0].kind == TExpr::Kind::defined);  // a def using a def
  REQUIRE(rule.params_used.size() == 1);                     // `small`, from inside the def
  CHECK(policy.params[rule.params_used[0]].name == "small");
}

TEST_CASE("defs: wrong event - arity - result type - unknown type - self-use - unused",
          "[check][def]") {
  require_error(load_rules(R"(
def big(o: order.placed): bool = o.amount > 10
rule r {
  on order.closed as c
  where big(c)
  then alert x on c.buyer severity low say "x"
}
)"),
                "def 'big' is about a order.placed event here, but 'c' is order.closed");
  require_error(load_rules(R"(
def big(o: order.placed): bool = o.amount > 10
rule r {
  on order.placed as o
  where big
  then alert x on o.buyer severity low say "x"
}
)"),
                "def 'big' takes 1 argument, not 0");
  require_error(load_rules("def d: bool = 30d\n"),
                "def 'd' is declared bool but its body is duration");
  require_error(load_rules("def d: record = 1\n"), "a def cannot give a 'record'");
  require_error(load_rules("def d(x: order.nothing): bool = true\n"),
                "unknown event type 'order.nothing'");
  require_error(load_rules("def d: bool = e\ndef e: bool = d\n"), "uses itself");
  LoadResult unused = load_rules("def d: int = 1\n");
  ok(unused);
  CHECK(all(unused).find("def 'd' is never used") != std::string::npos);
  // An error inside a def is reported once, at the def, however often it is used.
  LoadResult twice = load_rules(R"(
def bad(o: order.placed): bool = o.nothing > 1
rule r1 {
  on order.placed as o
  where bad(o)
  then alert x on o.buyer severity low say "x"
}
rule r2 {
  on order.placed as o
  where bad(o)
  then alert y on o.buyer severity low say "y"
}
)");
  CHECK(twice.diagnostics.error_count() == 1);
}

TEST_CASE("an author's timer: set by schedule - its rules named by on timer - checked",
          "[check][schedule]") {
  LoadResult good = load_rules(R"(
rule start {
  on order.placed as o
  then schedule follow_up on o.seller after 7d
       schedule reminder on o.buyer at o.time + 1d
}
rule stop {
  on order.closed as c
  then cancel follow_up on c.buyer
}
rule follow {
  on timer follow_up as f
  where f.set_at < f.time
  then alert late on f.subject severity low say "still open since {f.set_at}"
}
rule remind {
  on timer reminder as r
  then alert remind on r.subject severity low say "r"
}
)");
  const Policy& policy = ok(good);
  CHECK(good.diagnostics.warning_count() == 0);
  const ActionDef& schedule = policy.rules.at(0).actions.at(0);
  CHECK(schedule.kind == ActionKind::schedule);
  CHECK(schedule.after.has_value());
  CHECK(policy.rules.at(0).actions.at(1).until.has_value());
  CHECK(policy.rules.at(2).timer);
  require_error(load_rules(R"(
rule start {
  on order.placed as o
  then schedule follow_up on o.seller after 7d
}
rule follow {
  on timer folow_up as f
  then alert late on f.subject severity low say "x"
}
)"),
                "unknown timer 'folow_up'");
  CHECK(all(load_rules("rule f {\n  on timer folow_up as f\n  then alert late on f.subject "
                       "severity low say \"x\"\n}\nrule s {\n  on order.placed as o\n  then "
                       "schedule follow_up on o.seller after 7d\n}\n"))
            .find("did you mean 'follow_up'?") != std::string::npos);
  require_error(load_rules(R"(
rule stop {
  on order.closed as c
  then cancel follow_up on c.buyer
}
)"),
                "cancel names timer 'follow_up', which no rule schedules");
  require_error(load_rules(R"(
rule start {
  on order.placed as o
  then schedule order.placed on o.seller after 7d
}
)"),
                "unexpected '.'");
  require_error(load_rules(R"(
rule start {
  on order.placed as o
  then schedule soon on o.seller after o.time
}
)"),
                "`schedule ... after` must be duration, but 'o.time' is time");
}

TEST_CASE("an earlier of decisions only rules set to off make is a warning", "[check][warnings]") {
  const char* rules = R"(
rule spammy {
  on order.placed as o
  then alert spam on o.buyer severity low say "x"
}
rule repeat {
  on order.placed as o
  let before = earlier alert spam on o.buyer within 1d
  when exists(before)
  then alert repeat on o.buyer severity low say "y"
}
)";
  LoadResult off = load_rules(rules, "mode spammy = off");
  ok(off);
  CHECK(all(off).find("rule 'repeat' reads earlier alert 'spam' decisions, but every rule that "
                      "makes them is off (spammy)") != std::string::npos);
  LoadResult on = load_rules(rules, "mode spammy = shadow");
  ok(on);
  CHECK(on.diagnostics.warning_count() == 0);
}

TEST_CASE("contradictions over both sides of and - or - and a branch after a wider one",
          "[check][warnings][contradictions]") {
  auto warnings_of = [](const std::string& condition) {
    LoadResult result = load_rules(fmt::format(R"(
rule r {{
  on order.placed as o
  count per o.seller over 1d as n
  when {}
  then alert x on o.buyer severity low say "x"
}}
)",
                                               condition));
    INFO(all(result));
    REQUIRE(result.policy.has_value());
    return all(result);
  };
  CHECK(warnings_of("n >= 1 and 1 > 2").find("is always false") != std::string::npos);
  CHECK(warnings_of("o.kind == fixed and o.kind == hourly")
            .find("never holds: `o.kind == hourly` contradicts `o.kind == fixed`") !=
        std::string::npos);
  CHECK(warnings_of("o.tags has rush and not (o.tags has rush)")
            .find("contradicts `o.tags has rush`") != std::string::npos);
  CHECK(warnings_of("o.amount > 100 and n >= 1 and o.amount <= 50").find("never holds") !=
        std::string::npos);
  CHECK(warnings_of("o.rating is absent and o.rating >= 3").find("never holds") !=
        std::string::npos);
  CHECK(warnings_of("(o.amount > 5 and o.amount < 1) or (o.kind == fixed and o.kind != fixed)")
            .find("both sides of") != std::string::npos);
  // What some event can meet draws nothing.
  for (const char* fine :
       {"o.amount > 1 and o.amount < 5", "o.amount >= 5 and o.amount <= 5",
        "o.kind == fixed or o.kind == hourly", "not (o.rating >= 3) and o.rating is absent",
        "o.tags has rush and not (o.tags has gift)", "n >= 1 and o.amount != 3 and o.amount > 2"}) {
    INFO(fine);
    CHECK(warnings_of(fine).find("warning") == std::string::npos);
  }
  LoadResult branches = load_rules(R"(
rule refund {
  on order.placed as o
  then eligibility refund on o.order
    deny too_much when o.amount <= 100 say "a"
    deny far_too_much when o.amount < 50 say "b"
    deny kind when o.kind == fixed say "c"
    allow say "ok"
}
)");
  ok(branches);
  CHECK(all(branches).find("this branch can never be reached: wherever `o.amount < 50` holds, "
                           "the earlier `deny too_much when o.amount <= 100` already applies") !=
        std::string::npos);
  CHECK(branches.diagnostics.warning_count() == 1);
}

TEST_CASE("contradictions read through defs by what they denote - not by their text",
          "[check][warnings][contradictions]") {
  LoadResult result = load_rules(R"(
def big(o: order.placed): bool = o.amount > 100
rule pair {
  on order.placed as o
  let earlier_order = latest order.placed as p where p.seller == o.seller within 30d
  where o.amount <= 100 and big(earlier_order)
  then alert pair on o.seller severity low say "x"
}
rule never {
  on order.placed as placed
  where placed.amount <= 100 and big(placed)
  then alert never on placed.seller severity low say "y"
}
)");
  ok(result);
  std::string out = all(result);
  CHECK(out.find("rule 'pair' can never fire") == std::string::npos);
  CHECK(out.find("rule 'never' can never fire") != std::string::npos);
  CHECK(result.diagnostics.warning_count() == 1);
}

TEST_CASE("a def declared in one file is used from another", "[check][def]") {
  LoadResult result =
      load({{"pack.policy", "policy p version \"1\" {\n  use \"defs.rules\", \"r.rules\"\n}\n"},
            {"defs.rules",
             std::string(kSchema) + "def rushed(o: order.placed): bool = o.tags has rush\n"},
            {"r.rules", R"(
rule rush {
  on order.placed as o
  where rushed(o)
  then alert rush on o.seller severity low say "x"
}
)"}});
  const Policy& policy = ok(result);
  CHECK(policy.rules.at(0).guards.at(0).kind == TExpr::Kind::defined);
  CHECK(result.diagnostics.warning_count() == 0);
}

TEST_CASE("on decision: checked kind and name - fields - off makers - itself",
          "[check][reaction]") {
  const char* maker = R"(
rule spammy {
  on order.placed as o
  then alert spam on o.buyer severity low say "x"
}
)";
  LoadResult good = load_rules(std::string(maker) + R"(
rule react {
  on decision alert spam as a
  where a.severity == high and a.trigger is present and a.rule == "spammy"
  then alert loud on a.subject severity high say "{a.id} at {a.time}"
}
)");
  const Policy& policy = ok(good);
  const Rule& react = policy.rules[*policy.find_rule("react")];
  CHECK(react.on_decision);
  CHECK(react.reacts_to ==
        std::vector<std::uint32_t>{static_cast<std::uint32_t>(*policy.find_rule("spammy"))});
  require_error(load_rules(std::string(maker) + R"(
rule react {
  on decision alrt spam as a
  then alert loud on a.subject severity low say "x"
}
)"),
                "unknown decision kind 'alrt'");
  require_error(load_rules(std::string(maker) + R"(
rule react {
  on decision alert spm as a
  then alert loud on a.subject severity low say "x"
}
)"),
                "rule 'react' reacts to alert 'spm' decisions, but no rule makes them");
  require_error(load_rules(std::string(maker) + R"(
rule react {
  on decision alert spam as a
  where a.nothing > 1
  then alert loud on a.subject severity low say "x"
}
)"),
                "unknown field 'nothing' on decision alert spam");
  require_error(load_rules(std::string(maker) + R"(
rule react {
  on decision alert spam as a
  then alert spam on a.subject severity low say "x"
}
)"),
                "rule 'react' reacts to decisions it makes itself");
  LoadResult off = load_rules(std::string(maker) + R"(
rule react {
  on decision alert spam as a
  then alert loud on a.subject severity low say "x"
}
)",
                              "mode spammy = off");
  ok(off);
  CHECK(all(off).find("rule 'react' reacts to alert 'spam' decisions, but every rule that makes "
                      "them is off (spammy)") != std::string::npos);
}

TEST_CASE("rules that read each other's writes in a circle are an error naming them",
          "[check][reaction][order]") {
  LoadResult cycle = load_rules(R"(
rule first {
  on order.placed as o
  where not held(o.seller, second_hold)
  then hold first_hold on o.seller not appealable say "x"
}
rule second {
  on order.placed as o
  where not held(o.seller, first_hold)
  then hold second_hold on o.seller not appealable say "y"
}
)");
  require_error(cycle, "rules first, second read what each other write on one event");
  CHECK(all(cycle).find("'second' reads the state of hold first_hold, which 'first' writes") !=
        std::string::npos);
  // The same reads on guards no one event meets together: no cycle, and ordered by name.
  LoadResult apart = load_rules(R"(
rule second {
  on order.placed as o
  where o.kind == hourly and not held(o.seller, first_hold)
  then hold second_hold on o.seller not appealable say "y"
}
rule first {
  on order.placed as o
  where o.kind == fixed and not held(o.seller, second_hold)
  then hold first_hold on o.seller not appealable say "x"
}
)");
  const Policy& policy = ok(apart);
  REQUIRE(policy.order.size() == 2);
  CHECK(policy.rules[policy.order[0]].name == "first");
  // Rules on other event types never run together: no cycle either.
  ok(load_rules(R"(
rule first {
  on order.placed as o
  where not held(o.seller, second_hold)
  then hold first_hold on o.seller not appealable say "x"
}
rule second {
  on order.closed as c
  where not held(c.buyer, first_hold)
  then hold second_hold on c.buyer not appealable say "y"
}
)"));
}

TEST_CASE("state kept without end is a warning naming what a horizon would change",
          "[check][horizon]") {
  const char* rules = R"(
rule seen {
  on order.placed as o
  let closed = latest order.closed as c where c.order == o.order{WITHIN}
  let before = earlier alert seen on o.buyer{EARLIER}
  where closed is present
  exclude "refunded" when closed.earned == 0
  when not exists(before)
  then alert seen on o.buyer severity low say "x"
}
)";
  auto with = [&](const std::string& within, const std::string& earlier) {
    std::string text = rules;
    text.replace(text.find("{WITHIN}"), 8, within);
    text.replace(text.find("{EARLIER}"), 9, earlier);
    return load_rules(text);
  };
  LoadResult bare = with("", "");
  ok(bare);
  std::string said = all(bare);
  CHECK(said.find("rule 'seen' keeps the latest order.closed per order without end (about") !=
        std::string::npos);
  CHECK(said.find("one forgotten would read as absent in: where closed is present; exclude "
                  "\"refunded\"") != std::string::npos);
  CHECK(said.find("rule 'seen' keeps every alert 'seen' decision without end") !=
        std::string::npos);
  CHECK(said.find("one forgotten would be missing from: when not exists(before)") !=
        std::string::npos);
  LoadResult bounded = with(" within 30d", " within 90d");
  ok(bounded);
  CHECK(bounded.diagnostics.warning_count() == 0);
  require_error(with(" within 0d", ""), "the `within` of `latest` must be longer than zero");
  require_error(with(" within o.amount", ""), "within");
}

TEST_CASE("an enum every value of which is excluded leaves the rule nothing to fire on",
          "[check][contradictions]") {
  LoadResult none = load_rules(R"(
rule neither {
  on order.placed as o
  where o.kind != fixed and o.amount > 1 and not (o.kind == hourly)
  then alert never on o.buyer severity low say "x"
}
)");
  ok(none);
  CHECK(all(none).find("rule 'neither' can never fire: `o.kind != fixed and o.amount > 1 and not "
                       "(o.kind == hourly)` never holds: `o.kind != fixed` and `not (o.kind == "
                       "hourly)` leave no value") != std::string::npos);
  LoadResult one = load_rules(R"(
rule hourly_only {
  on order.placed as o
  where o.kind != fixed
  then alert hourly on o.buyer severity low say "x"
}
)");
  ok(one);
  CHECK(one.diagnostics.warning_count() == 0);
}
