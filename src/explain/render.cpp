// A document as plain text, for terminals and logs (html.cpp writes the HTML page).
#include <algorithm>

#include <fmt/format.h>

#include "document.hpp"

namespace bylaw::explain {

namespace {

// ------------------------------------------------------------------ text

void text_fields(std::string& out, const Fields& fields) {
  std::size_t width = 0;
  for (const auto& [key, value] : fields) width = std::max(width, key.size());
  for (const auto& [key, value] : fields) out += fmt::format("  {:<{}}  {}\n", key, width, value);
}

void text_table(std::string& out, const Table& table) {
  std::vector<std::size_t> width(table.header.size(), 0);
  for (std::size_t i = 0; i < table.header.size(); ++i) width[i] = table.header[i].size();
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text = " ";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      text += i + 1 < cells.size() ? fmt::format(" {:<{}} ", cells[i], width[i]) : " " + cells[i];
    }
    out += text + "\n";
  };
  line(table.header);
  for (const auto& row : table.rows) line(row);
}

void text_tree(std::string& out, const TreeNode& node, int depth) {
  out += fmt::format("{}{}  {}\n", std::string(2 + 4 * static_cast<std::size_t>(depth), ' '),
                     node.text, node.note);
  for (const auto& child : node.children) text_tree(out, child, depth + 1);
}

void text_quote(std::string& out, const SourceQuote& quote) {
  std::size_t width = std::to_string(quote.first_line + quote.lines.size()).size();
  for (std::size_t i = 0; i < quote.lines.size(); ++i) {
    out += fmt::format("  {:>{}} | {}\n", quote.first_line + i, width, quote.lines[i]);
  }
}

}  // namespace

std::string to_text(const Document& doc) {
  std::string out = doc.title + "\n";
  for (const auto& section : doc.sections) {
    out += "\n" + section.title + "\n";
    for (const auto& block : section.blocks) {
      std::visit(
          [&out](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, std::string>) {
              out += "  " + b + "\n";
            } else if constexpr (std::is_same_v<T, Fields>) {
              text_fields(out, b);
            } else if constexpr (std::is_same_v<T, Table>) {
              text_table(out, b);
            } else if constexpr (std::is_same_v<T, TreeNode>) {
              text_tree(out, b, 0);
            } else {
              text_quote(out, b);
            }
          },
          block);
    }
  }
  return out;
}

std::string render_text(const runtime::Decision& decision, Audience audience,
                        const std::string* source, const PageContext& context) {
  return to_text(audience == Audience::auditor ? auditor_document(decision, source, context)
                                               : subject_document(subject_view(decision)));
}

}  // namespace bylaw::explain
