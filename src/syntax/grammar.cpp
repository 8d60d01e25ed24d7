// The Spirit X3 grammar of rule and policy files: the only translation unit that includes X3.
//
// Each nonterminal is a named x3::rule, so an expectation failure names what was expected in
// words. Literals, names, strings and numbers are hand-written primitive parsers: they know the
// exact position of a bad token and say what is wrong with it (unterminated string, bad
// duration). Semantic actions build the public syntax tree directly, with spans.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

#include <fmt/format.h>
#include <boost/spirit/home/x3.hpp>

#include "bylaw/core/time.hpp"
#include "bylaw/syntax/parser.hpp"
#include "bylaw/syntax/tokens.hpp"

namespace bylaw::syntax {
namespace {

namespace x3 = boost::spirit::x3;
using Iterator = const char*;

// Where the buffer starts and which file it is: every span is an offset into it.
struct ParseState {
  const char* begin;
  FileId file;
  File* out;
  std::uint32_t* nesting;  // how many `nested[...]` parsers are open (see nesting_guard)
};
struct state_tag;

// Thrown by the primitive parsers for a malformed token; caught by the item loop.
struct TokenError {
  const char* where;
  const char* end;
  std::string message;
  std::string expected;
};

TokenError too_deep(const char* where) {
  return TokenError{where, where + 1, "expression nested too deeply",
                    fmt::format("at most {} levels of operators, parentheses, calls and sets",
                                kMaxExpressionDepth)};
}

// Skips blanks and `#` comments, like the skipper does.
const char* skip_blank(const char* it, const char* end) {
  while (it != end) {
    if (std::isspace(static_cast<unsigned char>(*it))) {
      ++it;
    } else if (*it == '#') {
      while (it != end && *it != '\n') ++it;
    } else {
      break;
    }
  }
  return it;
}

template <class Context>
Span span_of(const Context& context, const char* begin, const char* end) {
  const ParseState& state = x3::get<state_tag>(context);
  return Span{state.file, static_cast<std::uint32_t>(begin - state.begin),
              static_cast<std::uint32_t>(end - state.begin)};
}

// ---------------------------------------------------------------- primitive parsers

struct keyword_parser : x3::parser<keyword_parser> {
  using attribute_type = x3::unused_type;
  static const bool has_attribute = false;
  std::string_view word;
  // A word of the keyword table (syntax/tokens.hpp), or this does not compile.
  consteval explicit keyword_parser(std::string_view w) : word(w) {
    if (!is_keyword(w)) throw "a keyword parser for a word missing from kKeywords";
  }

  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& context, RCtx&, Attr&) const {
    x3::skip_over(first, last, context);
    It it = first;
    if (static_cast<std::size_t>(last - it) < word.size()) return false;
    if (std::string_view(it, word.size()) != word) return false;
    it += word.size();
    if (it != last && is_name_char(*it)) return false;
    first = it;
    return true;
  }
};

// A name: `allow_reserved` for positions where a keyword cannot be meant (after `.`, field names).
struct name_parser : x3::parser<name_parser> {
  using attribute_type = Ident;
  bool allow_reserved;
  constexpr explicit name_parser(bool allow) : allow_reserved(allow) {}

  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& context, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, context);
    It it = first;
    if (it == last || !is_name_start(*it)) return false;
    while (it != last && is_name_char(*it)) ++it;
    std::string_view word(first, static_cast<std::size_t>(it - first));
    if (!allow_reserved && is_reserved(word)) return false;
    x3::traits::move_to(Ident{std::string(word), span_of(context, first, it)}, attr);
    first = it;
    return true;
  }
};

// An event type name, dotted without spaces: feedback.submitted
struct type_name_parser : x3::parser<type_name_parser> {
  using attribute_type = Ident;

  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& context, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, context);
    It it = first;
    if (it == last || !is_name_start(*it)) return false;
    while (true) {
      while (it != last && is_name_char(*it)) ++it;
      if (it != last && *it == '.' && it + 1 != last && is_name_start(*(it + 1))) {
        ++it;
        continue;
      }
      break;
    }
    x3::traits::move_to(Ident{std::string(first, static_cast<std::size_t>(it - first)),
                              span_of(context, first, it)},
                        attr);
    first = it;
    return true;
  }
};

struct string_parser : x3::parser<string_parser> {
  using attribute_type = StringLit;

  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& context, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, context);
    It it = first;
    if (it == last || *it != '"') return false;
    ++it;
    std::string value;
    while (true) {
      if (it == last || *it == '\n' || *it == '\r') {
        throw TokenError{first, it, "unterminated string",
                         "a closing '\"' before the end of the line"};
      }
      char c = *it++;
      if (c == '"') break;
      if (c == '\\') {
        if (it == last || *it == '\n') continue;  // reported as unterminated on the next turn
        char escaped = *it++;
        switch (escaped) {
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          case '"':
            value += '"';
            break;
          case '\\':
            value += '\\';
            break;
          case '{':
            value += "\\{";
            break;  // kept escaped for message templates
          case '}':
            value += "\\}";
            break;
          default:
            throw TokenError{it - 2, it, fmt::format("unknown escape '\\{}' in string", escaped),
                             "one of \\\" \\\\ \\n \\t \\{ \\}"};
        }
        continue;
      }
      value += c;
    }
    x3::traits::move_to(StringLit{std::move(value), span_of(context, first, it)}, attr);
    first = it;
    return true;
  }
};

ExprPtr make_expr(ExprKind kind, std::string text, Span span) {
  auto expr = std::make_shared<Expr>();
  expr->kind = kind;
  expr->text = std::move(text);
  expr->span = span;
  return expr;
}

// 42, 2.5, 30d, 6mo, 1d12h. A number glued to letters must be a duration.
struct number_parser : x3::parser<number_parser> {
  using attribute_type = ExprPtr;

  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& context, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, context);
    It it = first;
    if (it == last || !std::isdigit(static_cast<unsigned char>(*it))) return false;
    while (it != last && std::isdigit(static_cast<unsigned char>(*it))) ++it;
    bool fraction = false;
    if (it != last && *it == '.' && it + 1 != last &&
        std::isdigit(static_cast<unsigned char>(*(it + 1)))) {
      fraction = true;
      ++it;
      while (it != last && std::isdigit(static_cast<unsigned char>(*it))) ++it;
    }
    bool suffix = it != last && is_name_char(*it);
    while (it != last && is_name_char(*it)) ++it;
    std::string text(first, static_cast<std::size_t>(it - first));
    Span span = span_of(context, first, it);
    ExprPtr expr;
    if (suffix) {
      if (fraction || !parse_duration(text)) {
        throw TokenError{first, it, fmt::format("bad duration literal '{}'", text),
                         "a whole number followed by a unit s, m, h, d, w or mo (30d, 24h, 6mo)"};
      }
      expr = make_expr(ExprKind::duration, text, span);
    } else if (fraction) {
      expr = make_expr(ExprKind::number, text, span);
    } else {
      std::int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) {
        throw TokenError{first, it, fmt::format("integer literal '{}' is too large", text),
                         "a whole number below 9223372036854775808"};
      }
      expr = make_expr(ExprKind::integer, text, span);
    }
    x3::traits::move_to(expr, attr);
    first = it;
    return true;
  }
};

}  // namespace
}  // namespace bylaw::syntax

namespace boost::spirit::x3 {
// Composite parsers say what their first part expects, so `which()` never prints a type name.
template <class Subject, class Action>
struct get_info<action<Subject, Action>> {
  using result_type = std::string;
  std::string operator()(const action<Subject, Action>& p) const { return what(p.subject); }
};
template <class Left, class Right>
struct get_info<list<Left, Right>> {
  using result_type = std::string;
  std::string operator()(const list<Left, Right>& p) const { return what(p.left); }
};
template <class Left, class Right>
struct get_info<sequence<Left, Right>> {
  using result_type = std::string;
  std::string operator()(const sequence<Left, Right>& p) const { return what(p.left); }
};
template <class Left, class Right>
struct get_info<alternative<Left, Right>> {
  using result_type = std::string;
  std::string operator()(const alternative<Left, Right>& p) const {
    return what(p.left) + " or " + what(p.right);
  }
};
template <class Subject>
struct get_info<expect_directive<Subject>> {
  using result_type = std::string;
  std::string operator()(const expect_directive<Subject>& p) const { return what(p.subject); }
};
template <class Subject>
struct get_info<raw_directive<Subject>> {
  using result_type = std::string;
  std::string operator()(const raw_directive<Subject>& p) const { return what(p.subject); }
};
template <>
struct get_info<bylaw::syntax::keyword_parser> {
  using result_type = std::string;
  std::string operator()(const bylaw::syntax::keyword_parser& p) const {
    return fmt::format("'{}'", p.word);
  }
};
template <>
struct get_info<bylaw::syntax::name_parser> {
  using result_type = std::string;
  std::string operator()(const bylaw::syntax::name_parser&) const { return "a name"; }
};
template <>
struct get_info<bylaw::syntax::type_name_parser> {
  using result_type = std::string;
  std::string operator()(const bylaw::syntax::type_name_parser&) const {
    return "an event type name";
  }
};
template <>
struct get_info<bylaw::syntax::string_parser> {
  using result_type = std::string;
  std::string operator()(const bylaw::syntax::string_parser&) const { return "a string"; }
};
template <>
struct get_info<bylaw::syntax::number_parser> {
  using result_type = std::string;
  std::string operator()(const bylaw::syntax::number_parser&) const { return "a number"; }
};
}  // namespace boost::spirit::x3

namespace bylaw::syntax {
namespace {

// ---------------------------------------------------------------- nesting

// `nested[p]` parses p one level deeper. Recursive descent uses stack per level, so a file of
// 100,000 opening parentheses must become an error before it becomes a crash. The guard sits
// after the token that commits to a level (`(`, `not`, ...), never on an alternative that may
// backtrack, so it only counts real nesting.
template <class Subject>
struct nesting_guard : x3::unary_parser<Subject, nesting_guard<Subject>> {
  using base_type = x3::unary_parser<Subject, nesting_guard<Subject>>;
  static bool const is_pass_through_unary = true;
  constexpr explicit nesting_guard(const Subject& inner) : base_type(inner) {}

  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& ctx, RCtx& rctx, Attr& attr) const {
    std::uint32_t& depth = *x3::get<state_tag>(ctx).nesting;
    if (depth >= kMaxExpressionDepth) throw too_deep(skip_blank(first, last));
    ++depth;
    struct Leave {
      std::uint32_t& depth;
      ~Leave() { --depth; }
    } leave{depth};
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};

struct nesting_gen {
  template <class Subject>
  constexpr nesting_guard<typename x3::extension::as_parser<Subject>::value_type> operator[](
      const Subject& subject) const {
    return nesting_guard<typename x3::extension::as_parser<Subject>::value_type>(
        x3::as_parser(subject));
  }
};
constexpr nesting_gen nested{};

// A node one level above `child`: its depth is checked where the node is built, so that a long
// chain `a + a + ...` (which parses in a loop, not by recursion) is bounded as well.
template <class Ctx>
void take_depth(const Ctx& ctx, Expr& node, const Expr& child) {
  node.depth = std::max(node.depth, child.depth + 1);
  if (node.depth > kMaxExpressionDepth) {
    throw too_deep(x3::get<state_tag>(ctx).begin + child.span.begin);
  }
}

// ---------------------------------------------------------------- semantic actions

// Sets a member of the rule's attribute from the matched attribute.
template <auto Member>
struct set_member {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    x3::_val(ctx).*Member = std::move(x3::_attr(ctx));
  }
};
template <auto Member>
constexpr set_member<Member> set{};

template <auto Member>
struct push_member {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    (x3::_val(ctx).*Member).push_back(std::move(x3::_attr(ctx)));
  }
};
template <auto Member>
constexpr push_member<Member> push{};

// The span of a range captured by x3::raw[...]. (X3's _where is the input after the match,
// not the match, so raw[] is how a position is captured.)
template <class Ctx, class Range>
Span range_span(const Ctx& ctx, const Range& range) {
  return span_of(ctx, range.begin(), range.end());
}

constexpr auto assign = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };

template <Op op>
struct fold_binary {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    ExprPtr lhs = std::move(x3::_val(ctx));
    ExprPtr rhs = std::move(x3::_attr(ctx));
    ExprPtr node =
        make_expr(ExprKind::binary, "", Span{lhs->span.file, lhs->span.begin, rhs->span.end});
    node->op = op;
    take_depth(ctx, *node, *lhs);
    take_depth(ctx, *node, *rhs);
    node->args = {std::move(lhs), std::move(rhs)};
    x3::_val(ctx) = std::move(node);
  }
};

// A prefix operator: the node starts at the operator, then takes its operand.
template <Op op>
struct start_unary {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    x3::_val(ctx) = make_expr(ExprKind::unary, "", range_span(ctx, x3::_attr(ctx)));
    x3::_val(ctx)->op = op;
  }
};

constexpr auto finish_unary = [](auto& ctx) {
  ExprPtr& node = x3::_val(ctx);
  node->span.end = x3::_attr(ctx)->span.end;
  take_depth(ctx, *node, *x3::_attr(ctx));
  node->args = {std::move(x3::_attr(ctx))};
};

// x is absent / x is present: a binary node with one argument.
template <Op op>
struct make_test {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    ExprPtr operand = std::move(x3::_val(ctx));
    Span span{operand->span.file, operand->span.begin, range_span(ctx, x3::_attr(ctx)).end};
    ExprPtr node = make_expr(ExprKind::binary, "", span);
    node->op = op;
    take_depth(ctx, *node, *operand);
    node->args = {std::move(operand)};
    x3::_val(ctx) = std::move(node);
  }
};

// The comparison operator chosen by the symbol table, with its right operand.
struct fold_comparison {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    auto& attr = x3::_attr(ctx);
    Op op = boost::fusion::at_c<0>(attr);
    ExprPtr rhs = std::move(boost::fusion::at_c<1>(attr));
    ExprPtr lhs = std::move(x3::_val(ctx));
    ExprPtr node =
        make_expr(ExprKind::binary, "", Span{lhs->span.file, lhs->span.begin, rhs->span.end});
    node->op = op;
    take_depth(ctx, *node, *lhs);
    take_depth(ctx, *node, *rhs);
    node->args = {std::move(lhs), std::move(rhs)};
    x3::_val(ctx) = std::move(node);
  }
};

constexpr auto make_name = [](auto& ctx) {
  Ident& id = x3::_attr(ctx);
  x3::_val(ctx) = make_expr(ExprKind::name, id.name, id.span);
};

constexpr auto make_field = [](auto& ctx) {
  Ident& id = x3::_attr(ctx);
  ExprPtr object = std::move(x3::_val(ctx));
  ExprPtr node =
      make_expr(ExprKind::field, id.name, Span{object->span.file, object->span.begin, id.span.end});
  take_depth(ctx, *node, *object);
  node->args = {std::move(object)};
  x3::_val(ctx) = std::move(node);
};

constexpr auto make_string = [](auto& ctx) {
  StringLit& lit = x3::_attr(ctx);
  x3::_val(ctx) = make_expr(ExprKind::string, lit.value, lit.span);
};

template <bool value>
struct make_bool {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    x3::_val(ctx) =
        make_expr(ExprKind::boolean, value ? "true" : "false", range_span(ctx, x3::_attr(ctx)));
  }
};

constexpr auto start_call = [](auto& ctx) {
  Ident& id = x3::_attr(ctx);
  x3::_val(ctx) = make_expr(ExprKind::call, id.name, id.span);
};

constexpr auto start_set = [](auto& ctx) {
  x3::_val(ctx) = make_expr(ExprKind::set, "", range_span(ctx, x3::_attr(ctx)));
};

// A parenthesised expression is its inner node, its span widened to the parentheses, so the
// source text of every enclosing node stays balanced.
constexpr auto open_paren = [](auto& ctx) {
  x3::_val(ctx) = make_expr(ExprKind::name, "", range_span(ctx, x3::_attr(ctx)));
};
constexpr auto take_inner = [](auto& ctx) {
  std::uint32_t begin = x3::_val(ctx)->span.begin;
  x3::_val(ctx) = std::move(x3::_attr(ctx));
  x3::_val(ctx)->span.begin = begin;
};

constexpr auto add_arg = [](auto& ctx) {
  take_depth(ctx, *x3::_val(ctx), *x3::_attr(ctx));
  x3::_val(ctx)->args.push_back(std::move(x3::_attr(ctx)));
};

constexpr auto close_span = [](auto& ctx) {
  x3::_val(ctx)->span.end = range_span(ctx, x3::_attr(ctx)).end;
};

template <ActionKind kind>
struct set_action_kind {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    x3::_val(ctx).kind = kind;
  }
};

constexpr auto set_timer = [](auto& ctx) { x3::_val(ctx).timer = true; };
constexpr auto set_distinct = [](auto& ctx) { x3::_val(ctx).distinct = true; };
constexpr auto set_first_of = [](auto& ctx) { x3::_val(ctx).first_per_value = true; };
constexpr auto set_optional = [](auto& ctx) { x3::_val(ctx).optional = true; };
constexpr auto set_private = [](auto& ctx) { x3::_val(ctx).is_private = true; };
constexpr auto set_not_appealable = [](auto& ctx) { x3::_val(ctx).appealable = false; };
constexpr auto set_shown_to_account = [](auto& ctx) { x3::_val(ctx).shown_to_account = true; };
// An action's `scope [...]`: present (and maybe overriding the declaration's) once it starts.
constexpr auto start_action_scope = [](auto& ctx) { x3::_val(ctx).scope.emplace(); };
constexpr auto push_action_scope = [](auto& ctx) {
  x3::_val(ctx).scope->push_back(std::move(x3::_attr(ctx)));
};
constexpr auto push_clause = [](auto& ctx) {
  x3::_val(ctx).clauses.emplace_back(std::move(x3::_attr(ctx)));
};

// Top-level declarations go straight into the file being parsed.
template <auto Member>
struct emit {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    (x3::get<state_tag>(ctx).out->*Member).push_back(std::move(x3::_attr(ctx)));
  }
};

// Gives a declaration (every one has a `span`) the span of its whole match. Done by an action,
// not by on_success: X3 hands on_success no attribute when the rule's body has actions.
constexpr auto set_span = [](auto& ctx) { x3::_val(ctx).span = range_span(ctx, x3::_attr(ctx)); };
template <class Parser>
constexpr auto spanned(const Parser& parser) {
  return x3::raw[parser][set_span];
}

// ---------------------------------------------------------------- the grammar

constexpr keyword_parser kw_and{"and"}, kw_or{"or"}, kw_not{"not"}, kw_in{"in"}, kw_has{"has"},
    kw_any{"any"}, kw_all{"all"}, kw_is{"is"}, kw_absent{"absent"}, kw_present{"present"},
    kw_true{"true"}, kw_false{"false"}, kw_latest{"latest"}, kw_earlier{"earlier"}, kw_let{"let"},
    kw_where{"where"}, kw_exclude{"exclude"}, kw_when{"when"}, kw_then{"then"}, kw_count{"count"},
    kw_sum{"sum"}, kw_distinct{"distinct"}, kw_per{"per"}, kw_over{"over"}, kw_after{"after"},
    kw_as{"as"}, kw_on{"on"}, kw_say{"say"}, kw_until{"until"}, kw_within{"within"},
    kw_timer{"timer"}, kw_rule{"rule"}, kw_event{"event"}, kw_param{"param"}, kw_use{"use"},
    kw_policy{"policy"}, kw_version{"version"}, kw_set{"set"}, kw_mode{"mode"}, kw_hold{"hold"},
    kw_release{"release"}, kw_alert{"alert"}, kw_eligibility{"eligibility"},
    kw_postpone{"postpone"}, kw_scope{"scope"}, kw_appeal{"appeal"}, kw_severity{"severity"},
    kw_evidence{"evidence"}, kw_deny{"deny"}, kw_allow{"allow"}, kw_first{"first"}, kw_of{"of"},
    kw_private{"private"}, kw_display{"display"}, kw_appealable{"appealable"},
    kw_expires{"expires"}, kw_shown{"shown"}, kw_to{"to"}, kw_account{"account"}, kw_def{"def"},
    kw_schedule{"schedule"}, kw_cancel{"cancel"}, kw_at{"at"}, kw_decision{"decision"};

constexpr name_parser name{false};
constexpr name_parser any_name{true};
constexpr type_name_parser type_name{};
constexpr string_parser string_lit{};
constexpr number_parser number_lit{};

struct comparison_ops : x3::symbols<Op> {
  comparison_ops() {
    add("==", Op::eq)("!=", Op::ne)("<=", Op::le)(">=", Op::ge)("<", Op::lt)(">", Op::gt);
  }
};
const comparison_ops comparison_op;

const auto skipper = x3::space | x3::lexeme['#' >> *(x3::char_ - x3::eol)];

#define BYLAW_RULE(rule_name, attribute, description) \
  const x3::rule<class rule_name##_class, attribute> rule_name = description

// Expressions, loosest binding first.
BYLAW_RULE(expr, ExprPtr, "an expression");
BYLAW_RULE(and_expr, ExprPtr, "an expression");
BYLAW_RULE(not_expr, ExprPtr, "an expression");
BYLAW_RULE(compare_expr, ExprPtr, "an expression");
BYLAW_RULE(add_expr, ExprPtr, "an expression");
BYLAW_RULE(mul_expr, ExprPtr, "an expression");
BYLAW_RULE(unary_expr, ExprPtr, "an expression");
BYLAW_RULE(primary, ExprPtr, "a value, a name or '('");
BYLAW_RULE(call, ExprPtr, "a function call");
BYLAW_RULE(path, ExprPtr, "a name");
BYLAW_RULE(set_literal, ExprPtr, "a set such as {a, b}");
BYLAW_RULE(bool_literal, ExprPtr, "true or false");
BYLAW_RULE(string_expr, ExprPtr, "a string");
BYLAW_RULE(absent_or_present, x3::unused_type, "'absent' or 'present'");
BYLAW_RULE(close_paren, x3::unused_type, "')'");
BYLAW_RULE(paren_expr, ExprPtr, "'('");
BYLAW_RULE(close_brace_of_set, x3::unused_type, "',' or '}'");

const auto expr_def = and_expr[assign] >> *(kw_or > and_expr[fold_binary<Op::logical_or>{}]);
const auto and_expr_def = not_expr[assign] >> *(kw_and > not_expr[fold_binary<Op::logical_and>{}]);
const auto not_expr_def =
    (x3::raw[kw_not][start_unary<Op::logical_not>{}] > nested[not_expr[finish_unary]]) |
    compare_expr[assign];
const auto compare_expr_def = add_expr[assign] >>
                              -((comparison_op > add_expr)[fold_comparison{}] |
                                x3::raw[kw_is >> kw_absent][make_test<Op::is_absent>{}] |
                                x3::raw[kw_is >> kw_present][make_test<Op::is_present>{}] |
                                (kw_is > absent_or_present) |
                                (kw_in > add_expr[fold_binary<Op::in>{}]) |
                                (kw_has >> kw_any > add_expr[fold_binary<Op::has_any>{}]) |
                                (kw_has >> kw_all > add_expr[fold_binary<Op::has_all>{}]) |
                                (kw_has > add_expr[fold_binary<Op::has>{}]));
const auto absent_or_present_def = kw_absent | kw_present;
const auto add_expr_def = mul_expr[assign] >> *((x3::lit('+') > mul_expr[fold_binary<Op::add>{}]) |
                                                (x3::lit('-') > mul_expr[fold_binary<Op::sub>{}]));
const auto mul_expr_def = unary_expr[assign] >>
                          *((x3::lit('*') > unary_expr[fold_binary<Op::mul>{}]) |
                            (x3::lit('/') > unary_expr[fold_binary<Op::div>{}]));
const auto unary_expr_def =
    (x3::raw[x3::lit('-')][start_unary<Op::negate>{}] > nested[unary_expr[finish_unary]]) |
    primary[assign];
const auto primary_def =
    number_lit | string_expr | bool_literal | set_literal | call | path | paren_expr;
const auto paren_expr_def =
    x3::raw[x3::lit('(')][open_paren] > nested[expr[take_inner]] > x3::raw[close_paren][close_span];
const auto close_paren_def = x3::lit(')');
const auto string_expr_def = string_lit[make_string];
const auto bool_literal_def =
    x3::raw[kw_true][make_bool<true>{}] | x3::raw[kw_false][make_bool<false>{}];
const auto call_def =
    (name >> '(')[start_call] > nested[-(expr[add_arg] % ',')] > x3::raw[close_paren][close_span];
const auto path_def = name[make_name] >> *(('.' > any_name)[make_field]);
const auto set_literal_def = x3::raw[x3::lit('{')][start_set] > nested[-(expr[add_arg] % ',')] >
                             x3::raw[close_brace_of_set][close_span];
const auto close_brace_of_set_def = x3::lit('}');

BOOST_SPIRIT_DEFINE(expr, and_expr, not_expr, compare_expr, add_expr, mul_expr, unary_expr, primary,
                    paren_expr, call, path, set_literal, bool_literal, string_expr,
                    absent_or_present, close_paren, close_brace_of_set)

// Types: id, string, int, number, bool, time, duration, enum(a, b), set<string>, then `?`.
BYLAW_RULE(type_ref, TypeRef, "a type");
BYLAW_RULE(field_decl, FieldDecl, "a field such as `contract: id`");
BYLAW_RULE(event_decl, EventDecl, "an event declaration");
BYLAW_RULE(event_body_end, x3::unused_type, "a field such as `contract: id`, or '}'");
BYLAW_RULE(param_decl, ParamDecl, "a parameter declaration");
BYLAW_RULE(use_decl, UseDecl, "a use declaration");

const auto type_ref_def = spanned(
    any_name[set<&TypeRef::base>] >>
    -(x3::lit('(') > (any_name[push<&TypeRef::enum_values>] % ',') > close_paren) >>
    -(x3::lit('<') > any_name[set<&TypeRef::element>] > '>') >> -x3::lit('?')[set_optional] >>
    -(kw_in > unary_expr[set<&TypeRef::range_low>] > ".." > unary_expr[set<&TypeRef::range_high>]));

BOOST_SPIRIT_DEFINE(type_ref)

// `private` before a name marks the field; a field may still be called `private`.
const auto field_decl_def =
    spanned(-(kw_private >> &any_name)[set_private] >> any_name[set<&FieldDecl::name>] > ':' >
            type_ref[set<&FieldDecl::type>] >> -x3::lit(','));
const auto event_decl_def = spanned(kw_event > type_name[set<&EventDecl::name>] > '{' >
                                    *field_decl[push<&EventDecl::fields>] > event_body_end);
const auto event_body_end_def = x3::lit('}');
const auto param_decl_def =
    spanned(kw_param > name[set<&ParamDecl::name>] > ':' > type_ref[set<&ParamDecl::type>] >>
            -(x3::lit('=') > expr[set<&ParamDecl::default_value>]));
const auto use_decl_def = spanned(kw_use > (string_lit[push<&UseDecl::paths>] % ','));

BOOST_SPIRIT_DEFINE(field_decl, event_decl, event_body_end, param_decl, use_decl)

// Rules.
BYLAW_RULE(trigger, Trigger, "a trigger such as `on feedback.submitted as f`");
BYLAW_RULE(latest_query, LatestQuery, "latest <event type> as <name> where <condition>");
BYLAW_RULE(earlier_query, EarlierQuery, "earlier <decision kind> <name> on <subject>");
BYLAW_RULE(let_clause, LetClause, "let <name> = <value>");
using LetValue = std::variant<ExprPtr, LatestQuery, EarlierQuery>;
BYLAW_RULE(let_value, LetValue, "an expression, `latest ...` or `earlier ...`");
BYLAW_RULE(where_clause, WhereClause, "where <condition>");
BYLAW_RULE(exclude_clause, ExcludeClause, "exclude \"<reason>\" when <condition>");
BYLAW_RULE(aggregate_clause, AggregateClause, "an aggregate such as `count ... per ... over ...`");
BYLAW_RULE(when_clause, WhenClause, "when <condition>");
BYLAW_RULE(then_keyword, x3::unused_type,
           "a clause (let, where, exclude, count, sum, when) or 'then'");
BYLAW_RULE(evidence_item, EvidenceItem, "a name or `first of <aggregate>`");
BYLAW_RULE(message, StringLit, "say \"<message>\"");
BYLAW_RULE(deny_branch, DenyBranch, "deny <reason> [when <condition>]");
BYLAW_RULE(allow_branch, AllowBranch, "allow say \"<message>\"");
BYLAW_RULE(appeal_spec, AppealSpec, "`appeal after <duration>` or `not appealable`");
BYLAW_RULE(hold_action, Action, "a hold action");
BYLAW_RULE(release_action, Action, "a release action");
BYLAW_RULE(alert_action, Action, "an alert action");
BYLAW_RULE(eligibility_action, Action, "an eligibility action");
BYLAW_RULE(postpone_action, Action, "a postpone action");
BYLAW_RULE(schedule_action, Action, "a schedule action");
BYLAW_RULE(cancel_action, Action, "a cancel action");
BYLAW_RULE(action, Action,
           "an action: hold, release, alert, eligibility, postpone, schedule or cancel");
BYLAW_RULE(rule_body_end, x3::unused_type,
           "another action (hold, release, alert, eligibility, postpone, schedule, cancel) or "
           "'}'");
BYLAW_RULE(rule_decl, RuleDecl, "a rule");

const auto trigger_def = spanned(
    kw_on > -(kw_timer[set_timer] | (kw_decision > any_name[set<&Trigger::decision_kind>])) >
    type_name[set<&Trigger::type>] > kw_as > name[set<&Trigger::alias>]);
const auto latest_query_def = kw_latest > type_name[set<&LatestQuery::type>] > kw_as >
                              name[set<&LatestQuery::alias>] > kw_where >
                              expr[set<&LatestQuery::condition>] >
                              -(kw_within > expr[set<&LatestQuery::within>]);
const auto earlier_query_def = kw_earlier > any_name[set<&EarlierQuery::kind>] >
                               any_name[set<&EarlierQuery::name>] > kw_on >
                               expr[set<&EarlierQuery::subject>] >>
                               -(kw_within > expr[set<&EarlierQuery::within>]) >>
                               -(kw_after > expr[set<&EarlierQuery::after>]);
const auto let_clause_def =
    spanned(kw_let > name[set<&LetClause::name>] > '=' > let_value[set<&LetClause::value>]);
const auto let_value_def = latest_query[assign] | earlier_query[assign] | expr[assign];
const auto where_clause_def = spanned(kw_where > expr[set<&WhereClause::condition>]);
const auto exclude_clause_def = spanned(kw_exclude > string_lit[set<&ExcludeClause::reason>] >
                                        kw_when > expr[set<&ExcludeClause::condition>]);
template <const char* word>
struct set_function {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    x3::_val(ctx).function = Ident{word, range_span(ctx, x3::_attr(ctx))};
  }
};
constexpr char count_word[] = "count";
constexpr char sum_word[] = "sum";
const auto aggregate_clause_def = spanned(
    ((x3::raw[kw_count][set_function<count_word>{}] >>
      -(kw_distinct[set_distinct] > expr[set<&AggregateClause::value>])) |
     (x3::raw[kw_sum][set_function<sum_word>{}] > expr[set<&AggregateClause::value>])) > kw_per >
    expr[set<&AggregateClause::key>] > kw_over > expr[set<&AggregateClause::window>] >>
    -(kw_after > expr[set<&AggregateClause::after>]) > kw_as > name[set<&AggregateClause::name>]);
const auto when_clause_def = spanned(kw_when > expr[set<&WhenClause::condition>]);
const auto then_keyword_def = kw_then;

const auto evidence_item_def = (kw_first >> kw_of > name[set<&EvidenceItem::name>])[set_first_of] |
                               name[set<&EvidenceItem::name>];
const auto message_def = kw_say > string_lit[assign];
const auto deny_branch_def = spanned(
    kw_deny > any_name[set<&DenyBranch::reason>] >>
    -(kw_when > expr[set<&DenyBranch::condition>]) >> -(kw_until > expr[set<&DenyBranch::until>]) >>
    -(kw_evidence > (evidence_item[push<&DenyBranch::evidence>] % ',')) >
    message[set<&DenyBranch::message>]);
const auto allow_branch_def =
    spanned(kw_allow >> -(kw_evidence > (evidence_item[push<&AllowBranch::evidence>] % ',')) >
            message[set<&AllowBranch::message>]);
const auto appeal_spec_def = spanned((kw_appeal > kw_after > expr[set<&AppealSpec::after>]) |
                                     (kw_not > kw_appealable)[set_not_appealable]);
const auto action_evidence = -(kw_evidence > (evidence_item[push<&Action::evidence>] % ','));
const auto name_as_expr = any_name[([](auto& ctx) {
  Ident& id = x3::_attr(ctx);
  x3::_val(ctx).name = make_expr(ExprKind::name, id.name, id.span);
})];
const auto hold_action_def =
    spanned(kw_hold[set_action_kind<ActionKind::hold>{}] > name_as_expr > kw_on >
            expr[set<&Action::subject>] >>
            -(kw_scope[start_action_scope] > '[' > (any_name[push_action_scope] % ',') > ']') >>
            -appeal_spec[set<&Action::appeal>] >>
            -(kw_expires > kw_after > expr[set<&Action::expires_after>]) >> action_evidence >
            message[set<&Action::message>]);
const auto release_action_def =
    spanned(kw_release[set_action_kind<ActionKind::release>{}] > expr[set<&Action::name>] > kw_on >
            expr[set<&Action::subject>] >> action_evidence > message[set<&Action::message>]);
const auto alert_action_def =
    spanned(kw_alert[set_action_kind<ActionKind::alert>{}] > name_as_expr > kw_on >
            expr[set<&Action::subject>] > kw_severity > any_name[set<&Action::severity>] >>
            action_evidence > message[set<&Action::message>]);
const auto eligibility_action_def =
    spanned(kw_eligibility[set_action_kind<ActionKind::eligibility>{}] > name_as_expr > kw_on >
            expr[set<&Action::subject>] >> action_evidence >> *deny_branch[push<&Action::denies>] >>
            -allow_branch[set<&Action::allow>]);
const auto postpone_action_def = spanned(
    kw_postpone[set_action_kind<ActionKind::postpone>{}] > kw_appeal > expr[set<&Action::name>] >
    kw_on > expr[set<&Action::subject>] > kw_until > expr[set<&Action::until>]);
const auto schedule_action_def =
    spanned(kw_schedule[set_action_kind<ActionKind::schedule>{}] > name_as_expr > kw_on >
            expr[set<&Action::subject>] >
            ((kw_after > expr[set<&Action::after>]) | (kw_at > expr[set<&Action::at>])));
const auto cancel_action_def = spanned(kw_cancel[set_action_kind<ActionKind::cancel>{}] >
                                       name_as_expr > kw_on > expr[set<&Action::subject>]);
const auto action_def = hold_action | release_action | alert_action | eligibility_action |
                        postpone_action | schedule_action | cancel_action;
const auto rule_body_end_def = x3::lit('}');
const auto rule_decl_def =
    spanned(kw_rule > name[set<&RuleDecl::name>] > '{' > trigger[set<&RuleDecl::trigger>] >
            *(let_clause[push_clause] | where_clause[push_clause] | exclude_clause[push_clause] |
              aggregate_clause[push_clause] | when_clause[push_clause]) > then_keyword >
            action[push<&RuleDecl::actions>] > *action[push<&RuleDecl::actions>] > rule_body_end);

BOOST_SPIRIT_DEFINE(appeal_spec)
BOOST_SPIRIT_DEFINE(schedule_action, cancel_action)
BOOST_SPIRIT_DEFINE(trigger, latest_query, earlier_query, let_clause, let_value, where_clause,
                    exclude_clause, aggregate_clause, when_clause, then_keyword, evidence_item,
                    message, deny_branch, allow_branch, hold_action, release_action, alert_action,
                    eligibility_action, postpone_action, action, rule_body_end, rule_decl)

// Named predicates and values.
BYLAW_RULE(def_decl, DefDecl, "def <name>(<alias>: <event type>, ...): <type> = <expression>");
BYLAW_RULE(def_param, DefParam, "<alias>: <event type>");
BYLAW_RULE(def_result, Ident, "':' and the result's type (bool, int, number, duration, ...)");
const auto def_decl_def =
    spanned(kw_def > name[set<&DefDecl::name>] >
            -(x3::lit('(') > (def_param[push<&DefDecl::params>] % ',') > close_paren) >
            def_result[set<&DefDecl::result>] > '=' > expr[set<&DefDecl::body>]);
const auto def_param_def = name[set<&DefParam::alias>] > ':' > type_name[set<&DefParam::type>] >
                           -x3::lit('?')[set_optional];
const auto def_result_def = x3::lit(':') > any_name[assign];
BOOST_SPIRIT_DEFINE(def_decl, def_param, def_result)

// Declared outcomes: scopes, holds, alerts and eligibility answers, with their display text.
BYLAW_RULE(scope_decl, ScopeDecl, "scope <name> \"<what the account reads>\"");
BYLAW_RULE(hold_decl, HoldDecl, "a hold declaration");
BYLAW_RULE(hold_appeal, AppealSpec,
           "`appeal after <duration>` or `not appealable` (a hold declaration reads: display, "
           "scope, appeal, expires)");
BYLAW_RULE(hold_decl_end, x3::unused_type, "`expires after <duration>` or '}'");
BYLAW_RULE(alert_decl, OutcomeDecl, "an alert declaration");
BYLAW_RULE(alert_decl_end, x3::unused_type, "`shown to account` or '}'");
BYLAW_RULE(eligibility_decl, OutcomeDecl, "an eligibility declaration");
BYLAW_RULE(eligibility_decl_end, x3::unused_type, "'}'");

const auto scope_decl_def =
    spanned(kw_scope > any_name[set<&ScopeDecl::name>] > string_lit[set<&ScopeDecl::display>]);
const auto hold_decl_def =
    spanned(kw_hold > any_name[set<&HoldDecl::name>] > '{' >
            -(kw_display > string_lit[set<&HoldDecl::display>]) >
            -(kw_scope > '[' > (any_name[push<&HoldDecl::scope>] % ',') > ']') >
            hold_appeal[set<&HoldDecl::appeal>] >
            -(kw_expires > kw_after > expr[set<&HoldDecl::expires_after>]) > hold_decl_end);
const auto hold_appeal_def = appeal_spec[assign];
const auto hold_decl_end_def = x3::lit('}');
const auto alert_decl_def =
    spanned(kw_alert[set_action_kind<ActionKind::alert>{}] > any_name[set<&OutcomeDecl::name>] >
            '{' > -(kw_display > string_lit[set<&OutcomeDecl::display>]) >
            -(kw_shown > kw_to > kw_account)[set_shown_to_account] > alert_decl_end);
const auto alert_decl_end_def = x3::lit('}');
const auto eligibility_decl_def = spanned(
    kw_eligibility[set_action_kind<ActionKind::eligibility>{}] > any_name[set<&OutcomeDecl::name>] >
    '{' > -(kw_display > string_lit[set<&OutcomeDecl::display>]) > eligibility_decl_end);
const auto eligibility_decl_end_def = x3::lit('}');

BOOST_SPIRIT_DEFINE(scope_decl, hold_decl, hold_appeal, hold_decl_end, alert_decl, alert_decl_end,
                    eligibility_decl, eligibility_decl_end)

// Policy packs.
BYLAW_RULE(set_item, SetItem, "name = value");
BYLAW_RULE(mode_item, ModeItem, "rule = enforce, shadow or off");
BYLAW_RULE(policy_decl, PolicyDecl, "a policy declaration");
BYLAW_RULE(policy_body_end, x3::unused_type, "use, set, mode or '}'");

const auto set_item_def = name[set<&SetItem::name>] > '=' > expr[set<&SetItem::value>];
const auto mode_item_def = name[set<&ModeItem::rule>] > '=' > any_name[set<&ModeItem::mode>];
const auto policy_decl_def = spanned(
    kw_policy > name[set<&PolicyDecl::name>] > kw_version > string_lit[set<&PolicyDecl::version>] >
    '{' >
    *(use_decl[push<&PolicyDecl::uses>] | (kw_set > (set_item[push<&PolicyDecl::sets>] % ',')) |
      (kw_mode > (mode_item[push<&PolicyDecl::modes>] % ','))) > policy_body_end);
const auto policy_body_end_def = x3::lit('}');

BOOST_SPIRIT_DEFINE(set_item, mode_item, policy_decl, policy_body_end)

BYLAW_RULE(
    item, x3::unused_type,
    "a declaration: use, event, param, def, rule, scope, hold, alert, eligibility or policy");
const auto item_def = use_decl[emit<&File::uses>{}] | event_decl[emit<&File::events>{}] |
                      param_decl[emit<&File::params>{}] | def_decl[emit<&File::defs>{}] |
                      rule_decl[emit<&File::rules>{}] | scope_decl[emit<&File::scopes>{}] |
                      hold_decl[emit<&File::holds>{}] | alert_decl[emit<&File::outcomes>{}] |
                      eligibility_decl[emit<&File::outcomes>{}] |
                      policy_decl[emit<&File::policies>{}];
BOOST_SPIRIT_DEFINE(item)

// ---------------------------------------------------------------- the item loop

// What stands at `it`, for "unexpected ..." messages.
std::string describe_token(const char* it, const char* end) {
  if (it == end) return "end of file";
  if (is_name_char(*it)) {
    const char* stop = it;
    while (stop != end && is_name_char(*stop)) ++stop;
    return fmt::format("'{}'", std::string_view(it, static_cast<std::size_t>(stop - it)));
  }
  if (*it == '"') return "a string";
  return fmt::format("'{}'", *it);
}

std::uint32_t token_length(const char* it, const char* end) {
  if (it == end) return 0;
  if (!is_name_char(*it)) return 1;
  const char* stop = it;
  while (stop != end && is_name_char(*stop)) ++stop;
  return static_cast<std::uint32_t>(stop - it);
}

bool starts_declaration(const char* it, const char* end) {
  for (std::string_view word : {"use", "event", "param", "def", "rule", "scope", "hold", "alert",
                                "eligibility", "policy"}) {
    if (static_cast<std::size_t>(end - it) > word.size() &&
        std::string_view(it, word.size()) == word && !is_name_char(it[word.size()])) {
      return true;
    }
  }
  return false;
}

// After an error, resume at the next line that starts (in column 1) with a declaration keyword.
const char* resynchronize(const char* from, const char* end) {
  const char* it = from;
  while (it != end) {
    while (it != end && *it != '\n') ++it;
    if (it == end) break;
    ++it;
    if (starts_declaration(it, end)) return it;
  }
  return end;
}

}  // namespace

File parse(const SourceSet& sources, FileId file_id, Diagnostics& diagnostics) {
  const std::string& text = sources.file(file_id).text();
  File file;
  file.id = file_id;
  std::uint32_t nesting = 0;
  ParseState state{text.data(), file_id, &file, &nesting};
  const char* it = text.data();
  const char* end = text.data() + text.size();
  auto report = [&](const char* where, std::uint32_t length, std::string message,
                    std::string expected) {
    auto offset = static_cast<std::uint32_t>(where - text.data());
    diagnostics.error(Span{file_id, offset, offset + length}, std::move(message),
                      std::move(expected));
  };
  const auto parser = x3::with<state_tag>(state)[item];
  while (true) {
    it = skip_blank(it, end);
    if (it == end) break;
    try {
      if (x3::phrase_parse(it, end, parser, skipper)) continue;
      report(it, token_length(it, end), fmt::format("unexpected {}", describe_token(it, end)),
             "a declaration: use, event, param, def, rule, scope, hold, alert, eligibility or "
             "policy");
      it = resynchronize(it, end);
    } catch (const x3::expectation_failure<Iterator>& failure) {
      const char* where = skip_blank(failure.where(), end);
      report(where, token_length(where, end),
             fmt::format("unexpected {}", describe_token(where, end)), failure.which());
      it = resynchronize(where, end);
    } catch (const TokenError& error) {
      report(error.where, static_cast<std::uint32_t>(error.end - error.where), error.message,
             error.expected);
      it = resynchronize(error.where, end);
    }
  }
  return file;
}

}  // namespace bylaw::syntax
