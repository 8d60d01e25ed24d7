// "did you mean ...?" for a misspelt name, used wherever a name is looked up: the checker, and
// the test files of `bylaw test`.
#pragma once

#include <string>
#include <vector>

namespace bylaw {

// "did you mean 'min_clients'?" when one candidate is close to `name`; empty otherwise.
std::string suggestion(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace bylaw
