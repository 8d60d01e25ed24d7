#include "defs.hpp"

#include <fmt/format.h>

#include "context.hpp"
#include "expr_checker.hpp"

namespace bylaw::check {

namespace {

// The types a def may give its result: values, not events or decisions.
std::optional<Type> result_type(const std::string& name) {
  static const std::map<std::string, TypeKind> kTypes = {
      {"bool", TypeKind::boolean},     {"int", TypeKind::integer}, {"number", TypeKind::number},
      {"string", TypeKind::string},    {"id", TypeKind::id},       {"time", TypeKind::time},
      {"duration", TypeKind::duration}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) return std::nullopt;
  return Type::of(it->second);
}

}  // namespace

void DefTable::declare(const std::vector<syntax::File>& files, CheckContext& context) {
  for (const auto& file : files) {
    for (const auto& decl : file.defs) {
      auto [it, inserted] = decls_.try_emplace(decl.name.name);
      if (!inserted) {
        context.diagnostics.error(decl.name.span, fmt::format("duplicate def '{}'", decl.name.name),
                                  "another name: each def is declared once");
        context.diagnostics.note(it->second.decl->name.span,
                                 fmt::format("'{}' was first declared here", decl.name.name));
        continue;
      }
      it->second.decl = &decl;
    }
  }
}

std::vector<std::string> DefTable::names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : decls_) out.push_back(name);
  return out;
}

const CheckedDef* DefTable::find(const std::string& name, CheckContext& context) {
  auto it = decls_.find(name);
  if (it == decls_.end()) return nullptr;
  Entry& entry = it->second;
  entry.used = true;
  if (entry.state == State::checking) {
    context.diagnostics.error(entry.decl->name.span, fmt::format("def '{}' uses itself", name),
                              "a def built from parameters, fields and other defs only");
    entry.checked.failed = true;
    return &entry.checked;
  }
  if (entry.state == State::unchecked) check(entry, context);
  return &entry.checked;
}

// Checked as the body of a rule on the def's event, with no lets: it sees that event (by the
// def's alias), the parameters, and other defs.
void DefTable::check(Entry& entry, CheckContext& context) {
  const syntax::DefDecl& decl = *entry.decl;
  entry.state = State::checking;
  CheckedDef& out = entry.checked;
  out.name = decl.name.name;
  out.span = decl.span;
  Rule as_rule;
  if (decl.param) {
    int type = context.policy.schema.find(decl.param_type->name);
    if (type < 0 || context.policy.schema.types[static_cast<std::size_t>(type)].timer) {
      context.diagnostics.error(decl.param_type->span,
                                fmt::format("unknown event type '{}'", decl.param_type->name),
                                one_of(context.record_names));
      out.failed = true;
    } else {
      out.param_type = type;
      as_rule.alias = decl.param->name;
      as_rule.trigger_type = static_cast<std::uint32_t>(type);
    }
  }
  std::optional<Type> declared = result_type(decl.result.name);
  if (!declared) {
    context.diagnostics.error(decl.result.span,
                              fmt::format("a def cannot give a '{}'", decl.result.name),
                              "bool, int, number, string, id, time or duration");
    out.failed = true;
  }
  if (!out.failed) {
    RuleScope scope(as_rule);
    ExprChecker exprs(context, scope);
    Hint hint{&*declared, false};
    out.body = exprs.check(*decl.body, hint);
    out.type = out.body.type;
    if (out.body.type.is_error()) {
      out.failed = true;
    } else if (!same_base(out.body.type, *declared)) {
      context.diagnostics.error(decl.body->span,
                                fmt::format("def '{}' is declared {} but its body is {}", out.name,
                                            decl.result.name, context.type_name(out.body.type)),
                                fmt::format("an expression of type {}", decl.result.name));
      out.failed = true;
    }
  }
  entry.state = State::checked;
}

void DefTable::warn_unused(CheckContext& context) const {
  for (const auto& [name, entry] : decls_) {
    if (entry.used) continue;
    context.diagnostics.warning(entry.decl->name.span, fmt::format("def '{}' is never used", name),
                                "a rule that uses it, or no def");
  }
}

namespace {

void bind(TExpr& expr, const TExpr& argument) {
  if (expr.kind == TExpr::Kind::event) {
    expr = argument;
    return;
  }
  for (auto& arg : expr.args) bind(arg, argument);
}

}  // namespace

TExpr bind_def(const CheckedDef& def, const TExpr* argument) {
  TExpr body = def.body;
  if (argument) bind(body, *argument);
  return body;
}

}  // namespace bylaw::check
