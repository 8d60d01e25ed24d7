// Checks the pack's declared outcomes: scopes, holds, alerts and eligibility answers.
#pragma once

#include <vector>

#include "bylaw/syntax/ast.hpp"
#include "context.hpp"

namespace bylaw::check {

// Fills the policy's scopes, holds and outcomes. Runs after the parameters have their values
// (an appeal wait or an expiry may be a parameter) and before any rule is checked.
void check_declarations(const std::vector<syntax::File>& files, CheckContext& context);

// Each of `words` must name a declared scope: reports those that do not.
void check_scope_words(const std::vector<syntax::Ident>& words, CheckContext& context);

}  // namespace bylaw::check
