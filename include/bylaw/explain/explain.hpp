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

// What a page can say beyond the decision, when the audit store is at hand.
struct PageContext {
  std::int64_t seq = 0;    // the record's place in the audit chain (0: not known)
  std::string hash;        // and its hash
  std::string started_by;  // a timer's decision: the hold decision that set the timer
  // How a page links to another decision: "{}" is replaced by its id ("#{}" within one page,
  // "/audit/decisions/{}" on the web); empty: no links to other decisions.
  std::string decision_link;
  // HTML: links shown above the page (text, href): the way back to a search, an account.
  std::vector<std::pair<std::string, std::string>> nav;
};

// What the affected account may see. Built from a whitelist of the decision's fields: event ids,
// operand values, correlation fields and exclusion reasons never enter it.
struct SubjectView {
  std::string decision_id;
  std::string kind;
  std::string name;
  std::string title;  // the pack's display text for it, or its name in words
  std::string subject;
  Time time;
  std::string what;  // one sentence
  std::string why;   // the rule's message
  std::string rule;
  std::string policy;               // name@version
  std::vector<std::string> counts;  // one sentence per aggregate
  std::vector<Time> dates;          // when the counted events happened...
  std::size_t dates_withheld = 0;   // ...but those that counted on a private field
  std::string margin;               // how close it was, without naming events
  std::string next;                 // when and how to appeal, or what becomes possible when
};

// Alerts are for trust-and-safety staff: the account gets no view of them, unless the pack
// declares the alert `shown to account`.
bool has_subject_view(const runtime::Decision& decision);
SubjectView subject_view(const runtime::Decision& decision);

// `source` is the text of the rule's file, when known: the auditor's view quotes the rule.
std::string render_text(const runtime::Decision& decision, Audience audience,
                        const std::string* source, const PageContext& context = {});
// One self-contained HTML page: inline style, no scripts, no external assets.
std::string render_html(const runtime::Decision& decision, Audience audience,
                        const std::string* source, const PageContext& context = {});

// An account's history on one page, oldest first: its active holds and every decision, each
// linked (context.decision_link), and with in-page links each decision's page in full below.
struct HistoryEntry {
  runtime::Decision decision;
  const std::string* source = nullptr;
  PageContext context;
};
std::string render_history_html(const std::string& subject,
                                const std::vector<HistoryEntry>& entries, Audience audience,
                                const std::string& decision_link,
                                const std::vector<std::pair<std::string, std::string>>& nav = {});

// The auditors' search page: a form over the audit store's search, and a page of results
// (newest first), each linked to its decision page and its account's page.
struct SearchForm {
  std::string subject, rule, kind, name, from, to, event;
  bool active_holds = false;
};
struct SearchPage {
  std::string action;  // where the form submits (GET)
  SearchForm form;
  bool searched = false;  // false: the empty form, no results shown
  std::vector<runtime::Decision> results;
  std::string next_link;      // the next page, when there is one
  std::string error;          // a search that could not run, in words
  std::string decision_link;  // "{}": the id
  std::string subject_link;   // "{}": the account
};
std::string render_search_page(const SearchPage& page);
// One line of an account's enforcement history.
std::string history_line(const runtime::Decision& decision);
// One line of a search result: when, whom, what, which rule, the id.
std::string search_line(const runtime::Decision& decision);

}  // namespace bylaw::explain
