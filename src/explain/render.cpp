// The two renderings of a document: plain text for terminals and logs, one self-contained HTML
// page for a browser.
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

// ------------------------------------------------------------------ HTML

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void html_tree(std::string& out, const TreeNode& node) {
  out += fmt::format("<li{}><code>{}</code> <span class=\"note\">{}</span>",
                     node.dim ? " class=\"dim\"" : "", escape(node.text), escape(node.note));
  if (!node.children.empty()) {
    out += "<ul>";
    for (const auto& child : node.children) html_tree(out, child);
    out += "</ul>";
  }
  out += "</li>";
}

constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1d2430; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; border-bottom: 1px solid #ccd; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
td, th { border: 1px solid #ccd; padding: 0.2rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #eef0f5; }
table.fields th { background: none; border: none; font-weight: 600; padding-left: 0; }
table.fields td { border: none; }
pre { background: #f5f6f9; padding: 0.6rem; overflow-x: auto; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.2rem; }
.note { color: #4a5a70; } .dim { color: #999; }
)css";

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

std::string to_html(const Document& doc) {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>"
      "<style>{}</style></head><body>\n<h1>{}</h1>\n",
      escape(doc.title), kStyle, escape(doc.title));
  for (const auto& section : doc.sections) {
    out += fmt::format("<section><h2>{}</h2>\n", escape(section.title));
    for (const auto& block : section.blocks) {
      std::visit(
          [&out](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, std::string>) {
              out += fmt::format("<p>{}</p>\n", escape(b));
            } else if constexpr (std::is_same_v<T, Fields>) {
              out += "<table class=\"fields\">";
              for (const auto& [key, value] : b) {
                out += fmt::format("<tr><th>{}</th><td>{}</td></tr>", escape(key), escape(value));
              }
              out += "</table>\n";
            } else if constexpr (std::is_same_v<T, Table>) {
              out += "<table><tr>";
              for (const auto& h : b.header) out += fmt::format("<th>{}</th>", escape(h));
              out += "</tr>";
              for (const auto& row : b.rows) {
                out += "<tr>";
                for (const auto& cell : row) out += fmt::format("<td>{}</td>", escape(cell));
                out += "</tr>";
              }
              out += "</table>\n";
            } else if constexpr (std::is_same_v<T, TreeNode>) {
              out += "<ul class=\"tree\">";
              html_tree(out, b);
              out += "</ul>\n";
            } else {
              out += fmt::format("<pre title=\"{}\">", escape(b.file));
              for (std::size_t i = 0; i < b.lines.size(); ++i) {
                out += fmt::format("{:>4} | {}\n", b.first_line + i, escape(b.lines[i]));
              }
              out += "</pre>\n";
            }
          },
          block);
    }
    out += "</section>\n";
  }
  out += "</body></html>\n";
  return out;
}

std::string render_text(const runtime::Decision& decision, Audience audience,
                        const std::string* source) {
  return to_text(audience == Audience::auditor ? auditor_document(decision, source)
                                               : subject_document(subject_view(decision)));
}

std::string render_html(const runtime::Decision& decision, Audience audience,
                        const std::string* source) {
  return to_html(audience == Audience::auditor ? auditor_document(decision, source)
                                               : subject_document(subject_view(decision)));
}

}  // namespace bylaw::explain
