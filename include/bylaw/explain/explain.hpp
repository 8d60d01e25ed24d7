// Renders a decision's explanation for people: the auditor, who sees everything the evaluator
// used, and the affected account, who sees what happened to it, why, the counts and dates, and
// how to appeal — and nothing that identifies another party.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bylaw/runtime/decision.hpp"

namespace bylaw::explain {

enum class Audience { auditor, subject };

// What the affected account may see. Built from a whitelist of the decision's fields: event ids,
// operand values, correlation fields and exclusion reasons never enter it.
struct SubjectView {
  std::string decision_id;
  std::string kind;
  std::string name;
  std::string subject;
  Time time;
  std::string what;  // one sentence
  std::string why;   // the rule's message
  std::string rule;
  std::string policy;               // name@version
  std::vector<std::string> counts;  // one sentence per aggregate
  std::vector<Time> dates;          // when the counted events happened
  std::string margin;               // how close it was, without naming events
  std::string next;                 // when and how to appeal, or what becomes possible when
};

SubjectView subject_view(const runtime::Decision& decision);

// `source` is the text of the rule's file, when known: the auditor's view quotes the rule.
std::string render_text(const runtime::Decision& decision, Audience audience,
                        const std::string* source);
// One self-contained HTML page: inline style, no scripts, no external assets.
std::string render_html(const runtime::Decision& decision, Audience audience,
                        const std::string* source);
// One line of an account's enforcement history.
std::string history_line(const runtime::Decision& decision);

}  // namespace bylaw::explain
