#include "expr_checker.hpp"

#include "bylaw/core/folded_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "bylaw/check/operators.hpp"

namespace bylaw::check {

using syntax::ExprKind;

TExpr ExprChecker::node(TExpr::Kind kind, const syntax::Expr& expr, Type type) const {
  TExpr out;
  out.kind = kind;
  out.op = expr.op;
  out.type = std::move(type);
  out.span = expr.span;
  out.text = folded_source(context_.sources, expr.span);
  return out;
}

TExpr ExprChecker::error_node(const syntax::Expr& expr) const {
  return node(TExpr::Kind::literal, expr, Type::of(TypeKind::error));
}

void ExprChecker::mismatch(const syntax::Expr& expr, const std::string& message,
                           const std::string& expected) {
  context_.diagnostics.error(expr.span, message, expected);
}

bool ExprChecker::is_free_word(const syntax::Expr& expr) const {
  if (expr.kind != ExprKind::name) return false;
  const std::string& name = expr.text;
  if (name == scope_.rule.alias) return false;
  if (scope_.candidate_alias && *scope_.candidate_alias == name) return false;
  if (scope_.find_let(name)) return false;
  return !context_.policy.find_param(name);
}

TExpr ExprChecker::check(const syntax::Expr& expr, const Hint& hint) {
  switch (expr.kind) {
    case ExprKind::integer: {
      TExpr out = node(TExpr::Kind::literal, expr, Type::of(TypeKind::integer));
      std::int64_t value = 0;
      std::from_chars(expr.text.data(), expr.text.data() + expr.text.size(), value);
      out.literal = value;
      return out;
    }
    case ExprKind::number: {
      TExpr out = node(TExpr::Kind::literal, expr, Type::of(TypeKind::number));
      out.literal = std::strtod(expr.text.c_str(), nullptr);
      return out;
    }
    case ExprKind::string: {
      // A quoted enum value is still the enum value: d.kind == "fixed".
      if (hint.expected && hint.expected->kind == TypeKind::enumeration) {
        int index = hint.expected->enumeration->find(expr.text);
        if (index >= 0) {
          TExpr out = node(TExpr::Kind::literal, expr, hint.expected->with_optional(false));
          out.literal = EnumValue{static_cast<std::uint32_t>(index)};
          return out;
        }
      }
      TExpr out = node(TExpr::Kind::literal, expr, Type::of(TypeKind::string));
      out.literal = expr.text;
      return out;
    }
    case ExprKind::boolean: {
      TExpr out = node(TExpr::Kind::literal, expr, Type::of(TypeKind::boolean));
      out.literal = expr.text == "true";
      return out;
    }
    case ExprKind::duration: {
      TExpr out = node(TExpr::Kind::literal, expr, Type::of(TypeKind::duration));
      out.literal = parse_duration(expr.text).value_or(Duration{});
      return out;
    }
    case ExprKind::name:
      return check_name(expr, hint);
    case ExprKind::field:
      return check_field(expr);
    case ExprKind::set:
      return check_set(expr, hint);
    case ExprKind::call:
      return check_call(expr);
    case ExprKind::unary:
      return check_unary(expr);
    case ExprKind::binary:
      return check_binary(expr);
  }
  return error_node(expr);
}

TExpr ExprChecker::check_name(const syntax::Expr& expr, const Hint& hint) {
  const std::string& name = expr.text;
  Policy& policy = context_.policy;
  if (scope_.candidate_alias && *scope_.candidate_alias == name) {
    TExpr out = node(TExpr::Kind::candidate, expr, Type::of(TypeKind::record));
    out.type.record = scope_.candidate_type;
    return out;
  }
  if (name == scope_.rule.alias) {
    if (!scope_.rule.trigger_type) return error_node(expr);  // reported at the trigger
    TExpr out = node(TExpr::Kind::event, expr, Type::of(TypeKind::record));
    out.type.record = static_cast<int>(*scope_.rule.trigger_type);
    return out;
  }
  if (std::optional<std::uint32_t> let = scope_.find_let(name)) {
    const Let& def = scope_.rule.lets[*let];
    if (scope_.forbid_aggregates_in && def.after_aggregates) {
      context_.diagnostics.error(
          expr.span,
          fmt::format("'{}' depends on an aggregate, which `{}` cannot use", name,
                      scope_.forbid_aggregates_in),
          fmt::format("a value known before counting: `{}` decides which events are counted",
                      scope_.forbid_aggregates_in));
      return error_node(expr);
    }
    TExpr out = node(TExpr::Kind::let, expr, def.type);
    out.index = *let;
    return out;
  }
  if (std::optional<std::size_t> param = policy.find_param(name)) {
    auto index = static_cast<std::uint32_t>(*param);
    TExpr out = node(TExpr::Kind::param, expr, policy.params[index].type);
    out.index = index;
    context_.param_used[index] = true;
    auto& used = scope_.rule.params_used;
    if (std::find(used.begin(), used.end(), index) == used.end()) used.push_back(index);
    return out;
  }
  if (context_.defs.has(name)) return use_def(expr);
  if (hint.expected && hint.expected->kind == TypeKind::enumeration && hint.expected->enumeration) {
    int index = hint.expected->enumeration->find(name);
    if (index < 0) {
      context_.diagnostics.error(
          expr.span,
          fmt::format("'{}' is not a value of {}", name, context_.type_name(*hint.expected)),
          one_of(hint.expected->enumeration->values));
      return error_node(expr);
    }
    TExpr out = node(TExpr::Kind::literal, expr, hint.expected->with_optional(false));
    out.literal = EnumValue{static_cast<std::uint32_t>(index)};
    return out;
  }
  if (hint.words_as_strings) {
    TExpr out = node(TExpr::Kind::literal, expr, Type::of(TypeKind::string));
    out.literal = name;
    return out;
  }
  std::string expected = suggestion(name, scope_.visible_names(policy));
  if (expected.empty()) {
    // Outside a rule (a declaration) only parameters are in scope.
    expected = scope_.rule.alias.empty()
                   ? std::string("a parameter")
                   : fmt::format("a parameter, a let, an aggregate or the event alias '{}'",
                                 scope_.rule.alias);
  }
  context_.diagnostics.error(expr.span, fmt::format("undefined name '{}'", name), expected);
  return error_node(expr);
}

TExpr ExprChecker::check_field(const syntax::Expr& expr) {
  TExpr object = check(*expr.args[0]);
  if (object.type.is_error()) return error_node(expr);
  if (object.type.kind != TypeKind::record) {
    context_.diagnostics.error(
        expr.span,
        fmt::format("'{}' has no fields: it is {}", object.text, context_.type_name(object.type)),
        "an event: the rule's alias or a `latest` let");
    return error_node(expr);
  }
  const EventTypeDef& type =
      context_.policy.schema.types[static_cast<std::size_t>(object.type.record)];
  Type field_type;
  std::int32_t slot = 0;
  if (expr.text == "id" && !type.timer) {
    field_type = Type::of(TypeKind::string);
    slot = kEnvelopeIdSlot;
  } else if (expr.text == "time") {
    field_type = Type::of(TypeKind::time);
    slot = kEnvelopeTimeSlot;
  } else if (const FieldDef* field = type.find(expr.text)) {
    field_type = field->type;
    slot = field->slot;
  } else {
    std::vector<std::string> names;
    for (const auto& f : type.fields) names.push_back(f.name);
    if (!type.timer) names.push_back("id");
    names.push_back("time");
    std::string expected = suggestion(expr.text, names);
    if (expected.empty()) expected = one_of(names);
    Span at = expr.span;
    at.begin = at.end - static_cast<std::uint32_t>(expr.text.size());
    context_.diagnostics.error(
        at, fmt::format("unknown field '{}' on {}{}", expr.text, type.name, field_note_), expected);
    return error_node(expr);
  }
  TExpr out = node(TExpr::Kind::field, expr,
                   field_type.with_optional(field_type.optional || object.type.optional));
  out.slot = slot;
  out.args.push_back(std::move(object));
  return out;
}

TExpr ExprChecker::check_set(const syntax::Expr& expr, const Hint& hint) {
  // The element type: strings unless the set is matched against enum or other values.
  Type element = Type::of(TypeKind::string);
  if (hint.expected && hint.expected->kind != TypeKind::string_set && !hint.expected->is_text() &&
      !hint.expected->is_error()) {
    element = hint.expected->with_optional(false);
  }
  Hint element_hint{&element, element.kind == TypeKind::string};
  TExpr out = node(TExpr::Kind::list, expr, Type::of(TypeKind::string_set));
  if (element.kind != TypeKind::string) {
    out.type = Type::of(TypeKind::value_list);
    out.type.element = element.kind;
  }
  for (const auto& item : expr.args) {
    TExpr value = check(*item, element_hint);
    if (!value.type.is_error() && !assignable(value.type, element)) {
      mismatch(*item,
               fmt::format("type mismatch: a set of {} cannot hold '{}', which is {}",
                           context_.type_name(element), value.text, context_.type_name(value.type)),
               fmt::format("a value of type {}", context_.type_name(element)));
    }
    out.args.push_back(std::move(value));
  }
  return out;
}

TExpr ExprChecker::check_hold_name(const syntax::Expr& expr, const char* role) {
  if (is_free_word(expr)) {
    if (!context_.hold_names.count(expr.text)) {
      std::vector<std::string> holds(context_.hold_names.begin(), context_.hold_names.end());
      context_.diagnostics.error(
          expr.span, fmt::format("{} names hold '{}', which no rule places", role, expr.text),
          holds.empty() ? std::string("a hold placed by a `hold` action")
                        : fmt::format("a hold some rule places: {}", one_of(holds)));
      return error_node(expr);
    }
    TExpr out = node(TExpr::Kind::literal, expr, Type::of(TypeKind::string));
    out.literal = expr.text;
    return out;
  }
  return check_kind(expr, TypeKind::string, role);
}

// A def's use: its body, checked where it was declared, bound to this use's event. The trace
// shows the use (`negative_feedback(f)`) with the body as its operand.
TExpr ExprChecker::use_def(const syntax::Expr& expr) {
  const CheckedDef& def = *context_.defs.find(expr.text, context_);
  std::size_t wanted = def.param_types.size();
  std::size_t given = expr.kind == ExprKind::call ? expr.args.size() : 0;
  if (wanted != given && !def.failed) {
    std::vector<std::string> events;
    for (int type : def.param_types) {
      events.push_back("<a " + context_.record_names[static_cast<std::size_t>(type)] + " event>");
    }
    context_.diagnostics.error(
        expr.span,
        fmt::format("def '{}' takes {} argument{}, not {}", expr.text, wanted,
                    wanted == 1 ? "" : "s", given),
        wanted ? fmt::format("{}({})", expr.text, fmt::join(events, ", ")) : expr.text);
    return error_node(expr);
  }
  std::vector<TExpr> events;
  bool optional = false;
  for (std::size_t i = 0; i < given; ++i) {
    const syntax::Expr& argument = *expr.args[i];
    TExpr event = check(argument);
    if (event.type.is_error()) return error_node(expr);
    if (def.failed) continue;
    int wanted_type = def.param_types[i];
    if (event.type.kind != TypeKind::record || event.type.record != wanted_type) {
      mismatch(argument,
               fmt::format("def '{}' is about a {} event here, but '{}' is {}", expr.text,
                           context_.record_names[static_cast<std::size_t>(wanted_type)], event.text,
                           context_.type_name(event.type)),
               "an event alias or `latest` let of that type");
      return error_node(expr);
    }
    // An event that may be absent, given where the def does not expect one, makes its value
    // absent too.
    optional = optional || (event.type.optional && !def.param_optional[i]);
    events.push_back(std::move(event));
  }
  if (def.failed) return error_node(expr);  // reported at the def
  // About a `latest` let's event, which may be absent, the def's value may be absent too.
  Type type = def.type;
  type.optional = type.optional || optional;
  TExpr out = node(TExpr::Kind::defined, expr, type);
  out.args.push_back(bind_def(def, events));
  note_params(out.args[0]);
  return out;
}

// The parameters a def's body uses are the using rule's too: its traces list them.
void ExprChecker::note_params(const TExpr& expr) {
  if (expr.kind == TExpr::Kind::param) {
    auto& used = scope_.rule.params_used;
    if (std::find(used.begin(), used.end(), expr.index) == used.end()) used.push_back(expr.index);
  }
  for (const auto& arg : expr.args) note_params(arg);
}

TExpr ExprChecker::check_call(const syntax::Expr& expr) {
  if (context_.defs.has(expr.text)) {
    return use_def(expr);
  }
  static const std::pair<const char*, Builtin> kBuiltins[] = {
      {"held", Builtin::held},           {"appeal_at", Builtin::appeal_at},
      {"placed_at", Builtin::placed_at}, {"released_at", Builtin::released_at},
      {"exists", Builtin::exists},       {"size", Builtin::size}};
  std::optional<Builtin> builtin;
  for (auto [name, value] : kBuiltins) {
    if (expr.text == name) builtin = value;
  }
  if (!builtin) {
    std::vector<std::string> names;
    for (auto [name, value] : kBuiltins) names.emplace_back(name);
    std::string expected = suggestion(expr.text, names);
    context_.diagnostics.error(expr.span, fmt::format("unknown function '{}'", expr.text),
                               expected.empty() ? one_of(names) : expected);
    return error_node(expr);
  }
  bool on_holds = *builtin != Builtin::exists && *builtin != Builtin::size;
  std::size_t arity = on_holds ? 2 : 1;
  if (expr.args.size() != arity) {
    context_.diagnostics.error(expr.span,
                               fmt::format("{} takes {} argument{}, not {}", expr.text, arity,
                                           arity == 1 ? "" : "s", expr.args.size()),
                               on_holds ? fmt::format("{}(subject, hold)", expr.text)
                                        : fmt::format("{}(<an `earlier` let>)", expr.text));
    return error_node(expr);
  }
  Type result;
  switch (*builtin) {
    case Builtin::held:
      result = Type::of(TypeKind::boolean);
      break;
    case Builtin::exists:
      result = Type::of(TypeKind::boolean);
      break;
    case Builtin::size:
      result = Type::of(TypeKind::integer);
      break;
    default:
      result = Type::of(TypeKind::time, true);
      break;
  }
  TExpr out = node(TExpr::Kind::call, expr, result);
  out.builtin = *builtin;
  if (on_holds) {
    out.args.push_back(check_kind(*expr.args[0], TypeKind::id, "the subject of a hold"));
    out.args.push_back(check_hold_name(*expr.args[1], fmt::format("{}()", expr.text).c_str()));
  } else {
    TExpr arg = check(*expr.args[0]);
    if (!arg.type.is_error() && arg.type.kind != TypeKind::decisions) {
      mismatch(*expr.args[0],
               fmt::format("{}() takes the result of an `earlier` query, but '{}' is {}", expr.text,
                           arg.text, context_.type_name(arg.type)),
               "a let such as `let recent = earlier alert x on c.client`");
    }
    out.args.push_back(std::move(arg));
  }
  return out;
}

TExpr ExprChecker::check_unary(const syntax::Expr& expr) {
  if (expr.op == Op::logical_not) {
    TExpr operand = check_condition(*expr.args[0], "the operand of `not`");
    TExpr out = node(TExpr::Kind::unary, expr, Type::of(TypeKind::boolean));
    out.args.push_back(std::move(operand));
    return out;
  }
  TExpr operand = check(*expr.args[0]);
  const Type& type = operand.type;
  if (!type.is_error() && !type.is_numeric() && type.kind != TypeKind::duration) {
    mismatch(expr, fmt::format("type mismatch: cannot negate {}", context_.type_name(type)),
             "a number or a duration");
    return error_node(expr);
  }
  TExpr out = node(TExpr::Kind::unary, expr, type);
  out.args.push_back(std::move(operand));
  return out;
}

TExpr ExprChecker::check_binary(const syntax::Expr& expr) {
  switch (expr.op) {
    case Op::logical_and:
    case Op::logical_or: {
      TExpr out = node(TExpr::Kind::binary, expr, Type::of(TypeKind::boolean));
      const char* role = expr.op == Op::logical_and ? "each side of `and`" : "each side of `or`";
      out.args.push_back(check_condition(*expr.args[0], role));
      out.args.push_back(check_condition(*expr.args[1], role));
      return out;
    }
    case Op::eq:
    case Op::ne:
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
      return check_comparison(expr);
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
      return check_arithmetic(expr);
    case Op::in:
    case Op::has:
    case Op::has_any:
    case Op::has_all:
      return check_membership(expr);
    case Op::is_absent:
    case Op::is_present: {
      TExpr operand = check(*expr.args[0]);
      if (!operand.type.is_error() && !operand.type.optional) {
        mismatch(*expr.args[0],
                 fmt::format("'{}' is never absent: it is {}", operand.text,
                             context_.type_name(operand.type)),
                 "an optional field (declared with `?`) or a `latest` let");
      }
      TExpr out = node(TExpr::Kind::binary, expr, Type::of(TypeKind::boolean));
      out.args.push_back(std::move(operand));
      return out;
    }
    default:
      break;
  }
  return error_node(expr);
}

TExpr ExprChecker::check_comparison(const syntax::Expr& expr) {
  const syntax::Expr& lhs_syntax = *expr.args[0];
  const syntax::Expr& rhs_syntax = *expr.args[1];
  TExpr lhs, rhs;
  // Type the side whose type does not depend on context first, so `client == f.sender_role`
  // and `"fixed" == d.kind` work as well as the other way round.
  auto contextual = [this](const syntax::Expr& e) {
    return is_free_word(e) || e.kind == ExprKind::string || e.kind == ExprKind::set;
  };
  if (contextual(lhs_syntax) && !contextual(rhs_syntax)) {
    rhs = check(rhs_syntax);
    lhs = check(lhs_syntax, Hint{&rhs.type});
  } else {
    lhs = check(lhs_syntax);
    rhs = check(rhs_syntax, Hint{&lhs.type});
  }
  TExpr out = node(TExpr::Kind::binary, expr, Type::of(TypeKind::boolean));
  if (!lhs.type.is_error() && !rhs.type.is_error()) {
    bool equality = expr.op == Op::eq || expr.op == Op::ne;
    bool fits = equality ? comparable(lhs.type, rhs.type) : ordered(lhs.type, rhs.type);
    if (!fits) {
      std::string left = context_.type_name(lhs.type.with_optional(false));
      std::string right = context_.type_name(rhs.type.with_optional(false));
      if (!equality && comparable(lhs.type, rhs.type)) {
        mismatch(expr,
                 fmt::format("{} values have no order: `{}` cannot use {}", left, out.text,
                             syntax::op_spelling(expr.op)),
                 "== or != for these values");
      } else {
        mismatch(rhs_syntax, fmt::format("type mismatch: cannot compare {} with {}", left, right),
                 fmt::format("a value of type {}", left));
      }
    }
  }
  out.args.push_back(std::move(lhs));
  out.args.push_back(std::move(rhs));
  return out;
}

namespace {

// The type of `a op b` for + - * /, or nullopt when the operation does not exist.
std::optional<TypeKind> arithmetic_result(Op op, TypeKind a, TypeKind b) {
  auto numeric = [](TypeKind k) { return k == TypeKind::integer || k == TypeKind::number; };
  if (numeric(a) && numeric(b)) {
    if (op == Op::div) return TypeKind::number;
    return a == TypeKind::integer && b == TypeKind::integer ? TypeKind::integer : TypeKind::number;
  }
  if (op == Op::add) {
    if (a == TypeKind::time && b == TypeKind::duration) return TypeKind::time;
    if (a == TypeKind::duration && b == TypeKind::time) return TypeKind::time;
    if (a == TypeKind::duration && b == TypeKind::duration) return TypeKind::duration;
  }
  if (op == Op::sub) {
    if (a == TypeKind::time && b == TypeKind::duration) return TypeKind::time;
    if (a == TypeKind::time && b == TypeKind::time) return TypeKind::duration;
    if (a == TypeKind::duration && b == TypeKind::duration) return TypeKind::duration;
  }
  return std::nullopt;
}

}  // namespace

TExpr ExprChecker::check_arithmetic(const syntax::Expr& expr) {
  TExpr lhs = check(*expr.args[0]);
  TExpr rhs = check(*expr.args[1]);
  if (lhs.type.is_error() || rhs.type.is_error()) return error_node(expr);
  auto result = arithmetic_result(expr.op, lhs.type.kind, rhs.type.kind);
  if (!result) {
    std::string left = context_.type_name(lhs.type.with_optional(false));
    std::string right = context_.type_name(rhs.type.with_optional(false));
    std::string expected = "numbers on both sides";
    if (lhs.type.kind == TypeKind::time) {
      expected = expr.op == Op::add ? "a duration to add to a time (30d, 24h, a parameter)"
                                    : "a duration or a time";
    } else if (lhs.type.kind == TypeKind::duration) {
      expected = "another duration";
    }
    mismatch(*expr.args[1],
             fmt::format("type mismatch: `{}` is not defined for {} and {}",
                         syntax::op_spelling(expr.op), left, right),
             expected);
    return error_node(expr);
  }
  TExpr out =
      node(TExpr::Kind::binary, expr, Type::of(*result, lhs.type.optional || rhs.type.optional));
  out.args.push_back(std::move(lhs));
  out.args.push_back(std::move(rhs));
  return out;
}

TExpr ExprChecker::check_membership(const syntax::Expr& expr) {
  TExpr out = node(TExpr::Kind::binary, expr, Type::of(TypeKind::boolean));
  const syntax::Expr& lhs_syntax = *expr.args[0];
  const syntax::Expr& rhs_syntax = *expr.args[1];
  if (expr.op == Op::in) {
    TExpr lhs = check(lhs_syntax);
    TExpr rhs = check(rhs_syntax, Hint{&lhs.type, lhs.type.is_text()});
    bool fits = lhs.type.is_error() || rhs.type.is_error() ||
                (rhs.type.kind == TypeKind::string_set && lhs.type.is_text()) ||
                (rhs.type.kind == TypeKind::value_list && rhs.type.element == lhs.type.kind);
    if (!fits) {
      mismatch(rhs_syntax,
               fmt::format("type mismatch: `in` needs a set of {}, but '{}' is {}",
                           context_.type_name(lhs.type.with_optional(false)), rhs.text,
                           context_.type_name(rhs.type)),
               "a set such as {a, b}, or a set<string> parameter or field");
    }
    out.args.push_back(std::move(lhs));
    out.args.push_back(std::move(rhs));
    return out;
  }
  TExpr lhs = check(lhs_syntax);
  if (!lhs.type.is_error() && lhs.type.kind != TypeKind::string_set) {
    mismatch(lhs_syntax,
             fmt::format("type mismatch: `{}` needs a set<string> on its left, but '{}' is {}",
                         syntax::op_spelling(expr.op), lhs.text, context_.type_name(lhs.type)),
             "a set<string> field or parameter");
  }
  Type string_type = Type::of(TypeKind::string);
  Type set_type = Type::of(TypeKind::string_set);
  TExpr rhs;
  if (expr.op == Op::has) {
    rhs = check(rhs_syntax, Hint{&string_type, true});
    if (!rhs.type.is_error() && !rhs.type.is_text()) {
      mismatch(rhs_syntax,
               fmt::format("type mismatch: `has` looks for a string, but '{}' is {}", rhs.text,
                           context_.type_name(rhs.type)),
               "a string, or a bare word such as refund_for_review");
    }
  } else {
    rhs = check(rhs_syntax, Hint{&set_type, true});
    if (!rhs.type.is_error() && rhs.type.kind != TypeKind::string_set) {
      mismatch(rhs_syntax,
               fmt::format("type mismatch: `{}` needs a set<string> on its right, but '{}' is {}",
                           syntax::op_spelling(expr.op), rhs.text, context_.type_name(rhs.type)),
               "a set such as {skills, experience}, or a set<string> parameter");
    }
  }
  out.args.push_back(std::move(lhs));
  out.args.push_back(std::move(rhs));
  return out;
}

TExpr ExprChecker::check_condition(const syntax::Expr& expr, const char* role) {
  TExpr out = check(expr);
  if (!out.type.is_error() && out.type.kind != TypeKind::boolean) {
    mismatch(expr,
             fmt::format("type mismatch: {} must be a condition, but '{}' is {}", role, out.text,
                         context_.type_name(out.type)),
             "a comparison, a test such as `x is absent`, or and/or/not of those");
  }
  return out;
}

TExpr ExprChecker::check_kind(const syntax::Expr& expr, TypeKind kind, const char* role) {
  Type expected = Type::of(kind);
  TExpr out = check(expr, Hint{&expected});
  if (out.type.is_error()) return out;
  bool fits = out.type.kind == kind || (kind == TypeKind::number && out.type.is_numeric()) ||
              ((kind == TypeKind::id || kind == TypeKind::string) && out.type.is_text());
  if (!fits) {
    mismatch(expr,
             fmt::format("type mismatch: {} must be {}, but '{}' is {}", role,
                         context_.type_name(expected), out.text, context_.type_name(out.type)),
             fmt::format("a value of type {}", context_.type_name(expected)));
  }
  return out;
}

TExpr ExprChecker::check_constant_duration(const syntax::Expr& expr, const char* role) {
  TExpr out = check_kind(expr, TypeKind::duration, role);
  if (out.type.is_error() || out.type.kind != TypeKind::duration) return out;
  if (out.kind != TExpr::Kind::literal && out.kind != TExpr::Kind::param) {
    mismatch(expr, fmt::format("{} must be known when the policy loads", role),
             "a duration literal (30d) or a parameter");
  }
  return out;
}

TExpr ExprChecker::check_expiry(const syntax::Expr& expr) {
  TExpr out = check_constant_duration(expr, "`expires after`");
  std::optional<Value> value = constant_value(out, context_.policy);
  const auto* length = value ? std::get_if<Duration>(&*value) : nullptr;
  if (length && length->approximate_micros() <= 0) {
    mismatch(expr, fmt::format("a hold cannot expire {} after it is placed", out.text),
             "a duration longer than zero");
  }
  return out;
}

TExpr ExprChecker::check_horizon(const syntax::Expr& expr, const char* role) {
  TExpr out = check_constant_duration(expr, role);
  std::optional<Value> value = constant_value(out, context_.policy);
  const auto* length = value ? std::get_if<Duration>(&*value) : nullptr;
  if (length && length->approximate_micros() <= 0) {
    mismatch(expr, fmt::format("{} must be longer than zero, not {}", role, out.text),
             "a duration longer than zero");
  }
  return out;
}

// ---------------------------------------------------------------- literals and constants

namespace {

std::string describe_literal(const syntax::Expr& expr) {
  switch (expr.kind) {
    case ExprKind::integer:
      return fmt::format("an int ({})", expr.text);
    case ExprKind::number:
      return fmt::format("a number ({})", expr.text);
    case ExprKind::string:
      return fmt::format("a string (\"{}\")", expr.text);
    case ExprKind::boolean:
      return fmt::format("a bool ({})", expr.text);
    case ExprKind::duration:
      return fmt::format("a duration ({})", expr.text);
    case ExprKind::set:
      return "a set";
    case ExprKind::name:
      return fmt::format("'{}'", expr.text);
    default:
      return "an expression";
  }
}

}  // namespace

std::optional<Value> literal_value(const syntax::Expr& expr, const Type& type,
                                   const CheckContext& context, const std::string& what) {
  const syntax::Expr* inner = &expr;
  bool negative = false;
  if (expr.kind == ExprKind::unary && expr.op == Op::negate) {
    inner = expr.args[0].get();
    negative = true;
  }
  std::optional<Value> value;
  switch (type.kind) {
    case TypeKind::integer:
      if (inner->kind == ExprKind::integer) {
        std::int64_t v = 0;
        std::from_chars(inner->text.data(), inner->text.data() + inner->text.size(), v);
        value = negative ? -v : v;
      }
      break;
    case TypeKind::number:
      if (inner->kind == ExprKind::integer || inner->kind == ExprKind::number) {
        double v = std::strtod(inner->text.c_str(), nullptr);
        value = negative ? -v : v;
      }
      break;
    case TypeKind::duration:
      if (inner->kind == ExprKind::duration) {
        Duration v = parse_duration(inner->text).value_or(Duration{});
        value = negative ? -v : v;
      }
      break;
    case TypeKind::string:
    case TypeKind::id:
      if (!negative && inner->kind == ExprKind::string) value = inner->text;
      break;
    case TypeKind::boolean:
      if (!negative && inner->kind == ExprKind::boolean) value = inner->text == "true";
      break;
    case TypeKind::time:
      if (!negative && inner->kind == ExprKind::string) {
        if (auto t = parse_rfc3339(inner->text)) value = *t;
      }
      break;
    case TypeKind::enumeration:
      if (!negative && (inner->kind == ExprKind::name || inner->kind == ExprKind::string)) {
        int index = type.enumeration->find(inner->text);
        if (index >= 0) value = EnumValue{static_cast<std::uint32_t>(index)};
      }
      break;
    case TypeKind::string_set:
      if (!negative && inner->kind == ExprKind::set) {
        std::vector<std::string> items;
        bool all_words = true;
        for (const auto& item : inner->args) {
          if (item->kind == ExprKind::name || item->kind == ExprKind::string) {
            items.push_back(item->text);
          } else {
            all_words = false;
          }
        }
        if (all_words) value = StringSet::from(std::move(items));
      }
      break;
    default:
      break;
  }
  if (!value) {
    std::string type_name = context.type_name(type);
    context.diagnostics.error(
        expr.span,
        fmt::format("type mismatch: {} is {}, but its value is {}", what, type_name,
                    describe_literal(*inner)),
        type.kind == TypeKind::time
            ? std::string("an RFC 3339 time in quotes, such as \"2026-01-31T00:00:00Z\"")
            : fmt::format("a literal of type {}", type_name));
  }
  return value;
}

std::optional<Value> constant_value(const TExpr& expr, const Policy& policy) {
  switch (expr.kind) {
    case TExpr::Kind::literal:
      if (expr.type.is_error()) return std::nullopt;
      return expr.literal;
    case TExpr::Kind::param:
      return policy.params[expr.index].value;
    case TExpr::Kind::unary: {
      auto operand = constant_value(expr.args[0], policy);
      if (!operand) return std::nullopt;
      if (expr.op == Op::logical_not) {
        if (auto* b = std::get_if<bool>(&*operand)) return !*b;
        return std::nullopt;
      }
      if (auto* i = std::get_if<std::int64_t>(&*operand)) return -*i;
      if (auto* d = std::get_if<double>(&*operand)) return -*d;
      if (auto* d = std::get_if<Duration>(&*operand)) return -*d;
      return std::nullopt;
    }
    case TExpr::Kind::binary: {
      if (expr.args.size() != 2) return std::nullopt;
      auto lhs = constant_value(expr.args[0], policy);
      // `false and x` and `true or x` are constant whatever x is.
      if (lhs && (expr.op == Op::logical_and || expr.op == Op::logical_or)) {
        bool left = std::get<bool>(*lhs);
        if (expr.op == Op::logical_and && !left) return false;
        if (expr.op == Op::logical_or && left) return true;
        return constant_value(expr.args[1], policy);
      }
      auto rhs = constant_value(expr.args[1], policy);
      // ... and so are `x and false` and `x or true`.
      if (rhs && (expr.op == Op::logical_and || expr.op == Op::logical_or)) {
        bool right = std::get<bool>(*rhs);
        if (expr.op == Op::logical_and && !right) return false;
        if (expr.op == Op::logical_or && right) return true;
      }
      if (!lhs || !rhs) return std::nullopt;
      if (!syntax::is_comparison(expr.op)) return std::nullopt;
      return compare_values(expr.op, *lhs, *rhs);
    }
    case TExpr::Kind::defined:
      return constant_value(expr.args[0], policy);
    default:
      return std::nullopt;
  }
}

}  // namespace bylaw::check
