// Source text with its blanks folded: every run of blanks (spaces, tabs, line ends) becomes one
// space, none at either end. One function for every place that quotes a clause: the checker's
// expression texts, the traces, and the checkpoints, which find a clause again by this text
// after a policy change (so a drift between them would drop state silently).
#pragma once

#include <string>
#include <string_view>

#include "bylaw/core/source.hpp"

namespace bylaw {

std::string fold_blanks(std::string_view text);
// The folded text of `span` in its file.
std::string folded_source(const SourceSet& sources, Span span);

}  // namespace bylaw
