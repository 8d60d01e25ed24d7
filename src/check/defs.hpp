// Named predicates and values (`def`): each checked once, where it is declared, and used from
// any file of the pack by inlining its typed body at the use.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/syntax/ast.hpp"

namespace bylaw::check {

struct CheckContext;

struct CheckedDef {
  std::string name;
  std::vector<int> param_types;      // the event types it is about; none for a value
  std::vector<bool> param_optional;  // declared with `?`: the body reads it absent too
  Type type;
  TExpr body;           // its events are TExpr::Kind::let, by position
  bool failed = false;  // its body did not check: reported there, not at each use
  Span span;
};

class DefTable {
 public:
  void declare(const std::vector<syntax::File>& files, CheckContext& context);
  // The def named `name`, checked (now, if this is its first use); null when there is none.
  const CheckedDef* find(const std::string& name, CheckContext& context);
  bool has(const std::string& name) const { return decls_.count(name) > 0; }
  std::vector<std::string> names() const;
  // A def no rule or other def uses: a warning.
  void warn_unused(CheckContext& context) const;

 private:
  enum class State { unchecked, checking, checked };
  struct Entry {
    const syntax::DefDecl* decl = nullptr;
    State state = State::unchecked;
    CheckedDef checked;
    bool used = false;
  };
  void check(Entry& entry, CheckContext& context);

  std::map<std::string, Entry> decls_;
};

// The body of `def` with its events replaced by `arguments`: what a use of it evaluates.
TExpr bind_def(const CheckedDef& def, const std::vector<TExpr>& arguments);

}  // namespace bylaw::check
