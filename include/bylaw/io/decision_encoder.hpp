// Decisions as JSON Lines (../shared/spec/decisions.md), keys always in the same order.
#pragma once

#include <string>
#include <string_view>

#include "bylaw/explain/explain.hpp"
#include "bylaw/runtime/decision.hpp"

namespace bylaw::io {

// Where a decision's explanation goes (`run --explanations`): on its line (the contract's
// default); in the audit store only, the line saying so with "explanation":{"in_store":true}
// (the decision's id finds it there); or nowhere, the line having no "explanation" at all.
enum class Explanations { inline_trace, in_store, none };

// One decision as a single line of JSON, without the line end.
std::string encode_decision(const runtime::Decision& decision);
// The same, appended to `out` (a writer's buffer: no string of its own per decision).
void append_decision(const runtime::Decision& decision, std::string& out,
                     Explanations explanations = Explanations::inline_trace);

// The explanation object alone, indented for reading.
std::string encode_explanation(const runtime::Decision& decision);
// What the affected account may see, as one JSON object, indented for reading.
std::string encode_subject_view(const explain::SubjectView& view);

// One rejected input line: {"line":N,"reason":"...","detail":"...","input":"..."}. Bytes of the
// input that are not UTF-8 are replaced by U+FFFD (JSON cannot carry them).
std::string encode_reject(std::uint64_t line, std::string_view reason, std::string_view detail,
                          std::string_view input);

}  // namespace bylaw::io
