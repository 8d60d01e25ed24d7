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

// Checked as the body of a rule whose lets are the def's events (by their aliases): it sees
// those, the parameters, and other defs.
void DefTable::check(Entry& entry, CheckContext& context) {
  const syntax::DefDecl& decl = *entry.decl;
  entry.state = State::checking;
  CheckedDef& out = entry.checked;
  out.name = decl.name.name;
  out.span = decl.span;
  Rule as_rule;
  for (std::size_t i = 0; i < decl.params.size(); ++i) {
    const syntax::DefParam& param = decl.params[i];
    int type = context.policy.schema.find(param.type.name);
    if (type < 0 || context.policy.schema.types[static_cast<std::size_t>(type)].raised()) {
      context.diagnostics.error(param.type.span,
                                fmt::format("unknown event type '{}'", param.type.name),
                                one_of(context.record_names));
      out.failed = true;
      continue;
    }
    bool taken = false;
    for (const auto& let : as_rule.lets) taken = taken || let.name == param.alias.name;
    if (taken) {
      context.diagnostics.error(
          param.alias.span,
          fmt::format("def '{}' names two events '{}'", out.name, param.alias.name),
          "a name of its own for each event");
      out.failed = true;
      continue;
    }
    out.param_types.push_back(type);
    out.param_optional.push_back(param.optional);
    Let event;  // the body reads each event as a rule reads a `latest` let
    event.name = param.alias.name;
    event.type = Type::of(TypeKind::record);
    event.type.record = type;
    event.type.optional = param.optional;
    event.span = param.alias.span;
    as_rule.lets.push_back(std::move(event));
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

// An argument put in place is not bound again: its lets are the using rule's.
void bind(TExpr& expr, const std::vector<TExpr>& arguments) {
  if (expr.kind == TExpr::Kind::let && expr.index < arguments.size()) {
    expr = arguments[expr.index];
    return;
  }
  for (auto& arg : expr.args) bind(arg, arguments);
}

}  // namespace

TExpr bind_def(const CheckedDef& def, const std::vector<TExpr>& arguments) {
  TExpr body = def.body;
  bind(body, arguments);
  return body;
}

}  // namespace bylaw::check
