// A rendering-neutral document: what an explanation says, before it becomes text or HTML, so both
// formats always say the same thing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "bylaw/explain/explain.hpp"

namespace bylaw::explain {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Table {
  Table(std::vector<std::string> h, std::vector<std::vector<std::string>> r, int anchor = -1)
      : header(std::move(h)), rows(std::move(r)), anchor_column(anchor) {}
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int anchor_column = -1;  // >= 0: each row is the place an event id in that column links to
};

struct TreeNode {
  std::string text;
  std::string note;   // the value, and how far a comparison passed or missed
  bool dim = false;   // not evaluated
  std::string value;  // "true" or "false" for a condition: coloured in HTML
  bool decided = false;  // the clause that decided: highlighted in HTML
  std::vector<TreeNode> children;
};

struct SourceQuote {
  std::string file;
  std::uint32_t first_line = 1;
  std::vector<std::string> lines;
};

using Block = std::variant<std::string, Fields, Table, TreeNode, SourceQuote>;

struct Section {
  Section(std::string t, std::vector<Block> b, std::string a = {})
      : title(std::move(t)), blocks(std::move(b)), anchor(std::move(a)) {}
  std::string title;
  std::vector<Block> blocks;
  std::string anchor;  // HTML: the section's id, for links within a page
};

struct Document {
  std::string title;
  std::vector<Section> sections;
  // HTML: each word of text equal to a key becomes a link to its value (event ids to their rows,
  // decision ids to their pages).
  std::map<std::string, std::string> links;
};

Document auditor_document(const runtime::Decision& decision, const std::string* source,
                          const PageContext& context = {});
Document subject_document(const SubjectView& view);

// An account's history: its active holds and its decisions, each linked by decision_link.
Document history_document(const std::string& subject, const std::vector<HistoryEntry>& entries,
                          Audience audience, const std::string& decision_link);

// An eligibility's outcome in a list ("eligible", "not eligible: too_early"); empty otherwise.
std::string outcome_text(const runtime::Decision& decision);

std::string to_text(const Document& document);
std::string to_html(const Document& document);
// The pieces of a page, for pages made of several documents (html.cpp).
std::string page_head(const std::string& title);
std::string html_body(const Document& document);  // the title and the sections
std::string html_sections(const Document& document);
std::string html_escape(const std::string& text);
std::string nav_html(const std::vector<std::pair<std::string, std::string>>& nav);

}  // namespace bylaw::explain
