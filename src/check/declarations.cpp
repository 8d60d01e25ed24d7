#include "declarations.hpp"

#include <map>

#include <fmt/format.h>

#include "expr_checker.hpp"

namespace bylaw::check {

namespace {

class DeclarationChecker {
 public:
  explicit DeclarationChecker(CheckContext& context)
      : context_(context), scope_(no_rule_), exprs_(context, scope_) {}

  void run(const std::vector<syntax::File>& files) {
    // Scopes first: a hold declared in any file may use a scope declared in any other.
    for (const auto& file : files) {
      for (const auto& decl : file.scopes) add_scope(decl);
    }
    for (const auto& file : files) {
      for (const auto& decl : file.holds) add_hold(decl);
      for (const auto& decl : file.outcomes) add_outcome(decl);
    }
  }

 private:
  Policy& policy() { return context_.policy; }

  bool first_declaration(const syntax::Ident& name, const char* what) {
    auto [it, inserted] = declared_.try_emplace(fmt::format("{} {}", what, name.name), name.span);
    if (inserted) return true;
    context_.diagnostics.error(name.span, fmt::format("duplicate {} '{}'", what, name.name),
                               fmt::format("another name: each {} is declared once", what));
    context_.diagnostics.note(it->second, fmt::format("'{}' was first declared here", name.name));
    return false;
  }

  void add_scope(const syntax::ScopeDecl& decl) {
    if (!first_declaration(decl.name, "scope")) return;
    require_text(decl.display, "a scope's display text");
    policy().scopes.push_back({decl.name.name, decl.display.value, decl.span});
  }

  void add_hold(const syntax::HoldDecl& decl) {
    if (!first_declaration(decl.name, "hold")) return;
    HoldDef hold;
    hold.name = decl.name.name;
    hold.span = decl.span;
    if (decl.display) {
      require_text(*decl.display, "a hold's display text");
      hold.display = decl.display->value;
    }
    check_scope_words(decl.scope, context_);
    for (const auto& word : decl.scope) hold.scope.push_back(word.name);
    if (decl.appeal.appealable) {
      hold.appeal_after = exprs_.check_constant_duration(*decl.appeal.after, "`appeal after`");
    }
    if (decl.expires_after) {
      hold.expires_after = exprs_.check_expiry(*decl.expires_after);
    }
    policy().holds.push_back(std::move(hold));
  }

  void add_outcome(const syntax::OutcomeDecl& decl) {
    bool alert = decl.kind == ActionKind::alert;
    if (!first_declaration(decl.name, alert ? "alert" : "eligibility")) return;
    OutcomeDef outcome;
    outcome.kind = alert ? DecisionKind::alert : DecisionKind::eligibility;
    outcome.name = decl.name.name;
    outcome.span = decl.span;
    if (decl.display) {
      require_text(*decl.display, "a display text");
      outcome.display = decl.display->value;
    }
    // Answers are the account's own; alerts are for staff unless declared otherwise.
    outcome.shown_to_account = !alert || decl.shown_to_account;
    policy().outcomes.push_back(std::move(outcome));
  }

  void require_text(const syntax::StringLit& text, const char* what) {
    if (text.value.find_first_not_of(" \t") != std::string::npos) return;
    context_.diagnostics.error(text.span, fmt::format("{} is empty", what),
                               "the words the account reads, such as \"send proposals\"");
  }

  CheckContext& context_;
  Rule no_rule_;  // declarations are outside any rule: they see parameters only
  RuleScope scope_;
  ExprChecker exprs_;
  std::map<std::string, Span> declared_;
};

}  // namespace

void check_declarations(const std::vector<syntax::File>& files, CheckContext& context) {
  DeclarationChecker(context).run(files);
}

void check_scope_words(const std::vector<syntax::Ident>& words, CheckContext& context) {
  std::vector<std::string> declared;
  for (const auto& scope : context.policy.scopes) declared.push_back(scope.name);
  for (const auto& word : words) {
    if (context.policy.find_scope(word.name)) continue;
    std::string expected = suggestion(word.name, declared);
    if (expected.empty()) {
      expected = declared.empty() ? std::string("a scope declared with `scope <name> \"<text>\"`")
                                  : one_of(declared);
    }
    context.diagnostics.error(word.span, fmt::format("unknown scope '{}'", word.name), expected);
  }
}

}  // namespace bylaw::check
