// A rendering-neutral document: what an explanation says, before it becomes text or HTML, so both
// formats always say the same thing.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "bylaw/explain/explain.hpp"

namespace bylaw::explain {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct TreeNode {
  std::string text;
  std::string note;  // the value, and how far a comparison passed or missed
  bool dim = false;  // not evaluated
  std::vector<TreeNode> children;
};

struct SourceQuote {
  std::string file;
  std::uint32_t first_line = 1;
  std::vector<std::string> lines;
};

using Block = std::variant<std::string, Fields, Table, TreeNode, SourceQuote>;

struct Section {
  std::string title;
  std::vector<Block> blocks;
};

struct Document {
  std::string title;
  std::vector<Section> sections;
};

Document auditor_document(const runtime::Decision& decision, const std::string* source);
Document subject_document(const SubjectView& view);

std::string to_text(const Document& document);
std::string to_html(const Document& document);

}  // namespace bylaw::explain
