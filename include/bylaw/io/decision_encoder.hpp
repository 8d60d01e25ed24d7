// Decisions as JSON Lines (../shared/spec/decisions.md), keys always in the same order.
#pragma once

#include <string>
#include <string_view>

#include "bylaw/explain/explain.hpp"
#include "bylaw/runtime/decision.hpp"

namespace bylaw::io {

// One decision as a single line of JSON, without the line end.
std::string encode_decision(const runtime::Decision& decision);
// The same, appended to `out` (a writer's buffer: no string of its own per decision).
void append_decision(const runtime::Decision& decision, std::string& out);

// The explanation object alone, indented for reading.
std::string encode_explanation(const runtime::Decision& decision);
// What the affected account may see, as one JSON object, indented for reading.
std::string encode_subject_view(const explain::SubjectView& view);

// One rejected input line: {"line":N,"reason":"...","detail":"...","input":"..."}. Bytes of the
// input that are not UTF-8 are replaced by U+FFFD (JSON cannot carry them).
std::string encode_reject(std::uint64_t line, std::string_view reason, std::string_view detail,
                          std::string_view input);

}  // namespace bylaw::io
