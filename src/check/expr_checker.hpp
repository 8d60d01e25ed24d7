// Turns a syntax expression into a typed one, resolving every name.
#pragma once

#include <optional>

#include "bylaw/syntax/ast.hpp"
#include "context.hpp"
#include "scope.hpp"

namespace bylaw::check {

// What the surrounding construct expects; lets a bare word stand for an enum value or a string.
struct Hint {
  const Type* expected = nullptr;
  bool words_as_strings = false;  // in `has` and set literals: {skills, experience}
};

class ExprChecker {
 public:
  ExprChecker(CheckContext& context, RuleScope& scope) : context_(context), scope_(scope) {}

  TExpr check(const syntax::Expr& expr, const Hint& hint = {});
  // A condition: bool (an optional bool counts as false when absent).
  TExpr check_condition(const syntax::Expr& expr, const char* role);
  // A value that must have `kind`; `role` says what it is for in the message.
  TExpr check_kind(const syntax::Expr& expr, TypeKind kind, const char* role);
  // A hold name: a bare word naming a hold some rule places, or a string expression.
  TExpr check_hold_name(const syntax::Expr& expr, const char* role);
  // A duration known when the policy loads: a literal or a parameter.
  TExpr check_constant_duration(const syntax::Expr& expr, const char* role);
  // A hold's `expires after`: a constant duration longer than zero.
  TExpr check_expiry(const syntax::Expr& expr);
  // A `within` that bounds kept state: a constant duration longer than zero.
  TExpr check_horizon(const syntax::Expr& expr, const char* role);
  // Appended to "unknown field" errors while set, to say where the field was wanted.
  void set_field_note(std::string note) { field_note_ = std::move(note); }

 private:
  TExpr check_name(const syntax::Expr& expr, const Hint& hint);
  TExpr check_field(const syntax::Expr& expr);
  TExpr check_set(const syntax::Expr& expr, const Hint& hint);
  TExpr check_call(const syntax::Expr& expr);
  TExpr use_def(const syntax::Expr& expr);
  void note_params(const TExpr& expr);
  TExpr check_unary(const syntax::Expr& expr);
  TExpr check_binary(const syntax::Expr& expr);
  TExpr check_comparison(const syntax::Expr& expr);
  TExpr check_arithmetic(const syntax::Expr& expr);
  TExpr check_membership(const syntax::Expr& expr);

  // Whether `expr` is a bare word that names nothing in scope (an enum value or string, maybe).
  bool is_free_word(const syntax::Expr& expr) const;
  TExpr node(TExpr::Kind kind, const syntax::Expr& expr, Type type) const;
  TExpr error_node(const syntax::Expr& expr) const;
  void mismatch(const syntax::Expr& expr, const std::string& message, const std::string& expected);

  CheckContext& context_;
  RuleScope& scope_;
  std::string field_note_;
};

// A parameter's value from its literal: `default` or a pack's `set`. Reports and returns nullopt
// when the literal does not fit `type`.
std::optional<Value> literal_value(const syntax::Expr& expr, const Type& type,
                                   const CheckContext& context, const std::string& what);

// The value of an expression made only of literals and parameters, or nullopt.
std::optional<Value> constant_value(const TExpr& expr, const Policy& policy);

}  // namespace bylaw::check
