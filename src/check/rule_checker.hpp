// Checks one rule declaration against the schema, the parameters and the other rules' outputs.
#pragma once

#include "bylaw/syntax/ast.hpp"
#include "context.hpp"

namespace bylaw::check {

Rule check_rule(const syntax::RuleDecl& decl, CheckContext& context);

}  // namespace bylaw::check
