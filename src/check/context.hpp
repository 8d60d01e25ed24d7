// What the checker's parts share while checking one policy.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/core/diagnostics.hpp"
#include "bylaw/core/suggest.hpp"
#include "defs.hpp"

namespace bylaw::check {

struct CheckContext {
  Diagnostics& diagnostics;
  const SourceSet& sources;
  Policy& policy;
  // Names the rules produce, collected before any rule body is checked, so a rule may refer to
  // a hold or alert that a later rule makes.
  std::set<std::string> hold_names;
  std::set<std::string> alert_names;
  std::set<std::string> eligibility_names;
  std::set<std::string> timer_names;  // the author's own timers, set by `schedule`
  std::vector<bool> param_used;
  std::vector<std::string> record_names;
  DefTable defs;

  std::string type_name(const Type& type) const { return to_string(type, &record_names); }
};

using bylaw::suggestion;  // core/suggest.hpp
// "one of a, b, c" (at most a dozen shown).
std::string one_of(const std::vector<std::string>& names);

}  // namespace bylaw::check
