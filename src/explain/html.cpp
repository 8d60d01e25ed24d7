// A document as one self-contained HTML page (inline style, no scripts, no external assets), and
// an account's history as one page.
#include <fmt/format.h>

#include "document.hpp"

namespace bylaw::explain {

namespace {

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

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// Escapes `text`, making each whole word that is a key of `links` a link.
std::string linked(const std::string& text, const std::map<std::string, std::string>& links) {
  if (links.empty()) return escape(text);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!word_char(text[i])) {
      out += escape(std::string(1, text[i++]));
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && word_char(text[end])) ++end;
    std::string word = text.substr(i, end - i);
    auto it = links.find(word);
    out += it == links.end()
               ? escape(word)
               : fmt::format("<a href=\"{}\">{}</a>", escape(it->second), escape(word));
    i = end;
  }
  return out;
}

class HtmlWriter {
 public:
  HtmlWriter(std::string& out, const std::map<std::string, std::string>& links)
      : out_(out), links_(links) {}

  void block(const Block& block) {
    std::visit([this](const auto& b) { write(b); }, block);
  }

 private:
  void write(const std::string& text) { out_ += fmt::format("<p>{}</p>\n", linked(text, links_)); }

  void write(const Fields& fields) {
    out_ += "<table class=\"fields\">";
    for (const auto& [key, value] : fields) {
      out_ += fmt::format("<tr><th>{}</th><td>{}</td></tr>", escape(key), linked(value, links_));
    }
    out_ += "</table>\n";
  }

  void write(const Table& table) {
    out_ += "<table><tr>";
    for (const auto& h : table.header) out_ += fmt::format("<th>{}</th>", escape(h));
    out_ += "</tr>";
    for (const auto& row : table.rows) {
      int column = table.anchor_column;
      bool anchored = column >= 0 && links_.count(row[static_cast<std::size_t>(column)]);
      out_ += anchored ? fmt::format("<tr id=\"ev-{}\">", escape(row[static_cast<std::size_t>(column)]))
                       : "<tr>";
      for (std::size_t i = 0; i < row.size(); ++i) {
        // An anchor's own cell is not a link to itself.
        bool own = static_cast<int>(i) == column;
        out_ += fmt::format("<td>{}</td>", own ? escape(row[i]) : linked(row[i], links_));
      }
      out_ += "</tr>";
    }
    out_ += "</table>\n";
  }

  void tree(const TreeNode& node) {
    std::string classes = node.dim ? "dim" : node.value;
    if (node.decided) classes += " decided";
    out_ += fmt::format("<li class=\"{}\"><code>{}</code> <span class=\"note\">{}</span>", classes,
                        escape(node.text), escape(node.note));
    if (!node.children.empty()) {
      out_ += "<ul>";
      for (const auto& child : node.children) tree(child);
      out_ += "</ul>";
    }
    out_ += "</li>";
  }

  void write(const TreeNode& node) {
    out_ += "<ul class=\"tree\">";
    tree(node);
    out_ += "</ul>\n";
  }

  void write(const SourceQuote& quote) {
    out_ += fmt::format("<pre title=\"{}\">", escape(quote.file));
    for (std::size_t i = 0; i < quote.lines.size(); ++i) {
      out_ += fmt::format("<span class=\"line\"><span class=\"number\">{:>4} |</span> {}</span>",
                          quote.first_line + i, escape(quote.lines[i]));
    }
    out_ += "</pre>\n";
  }

  std::string& out_;
  const std::map<std::string, std::string>& links_;
};

constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; padding: 0 1rem;
       color: #1d2430; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; border-bottom: 1px solid #ccd; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
td, th { border: 1px solid #ccd; padding: 0.2rem 0.6rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #eef0f5; overflow-wrap: normal; }
table.fields th { background: none; border: none; font-weight: 600; padding-left: 0; }
table.fields td { border: none; }
tr:target { background: #fff5c2; }
pre { background: #f5f6f9; padding: 0.6rem; white-space: pre-wrap; overflow-wrap: anywhere; }
pre .line { display: block; padding-left: 6ch; text-indent: -6ch; }
pre .number { color: #8a94a6; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.2rem; }
ul.tree code { white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: #4a5a70; } .dim { color: #999; }
li.true > .note { color: #16703a; font-weight: 600; }
li.false > .note { color: #b42318; font-weight: 600; }
li.decided { background: #fff5c2; outline: 2px solid #e0b400; padding: 0.2rem; }
form.search { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; }
form.search label { display: flex; flex-direction: column; font-size: 0.85rem; }
nav a { margin-right: 1rem; }
)css";

}  // namespace

std::string html_sections(const Document& doc) {
  std::string out;
  HtmlWriter writer(out, doc.links);
  for (const auto& section : doc.sections) {
    out += section.anchor.empty() ? "<section>"
                                  : fmt::format("<section id=\"{}\">", escape(section.anchor));
    out += fmt::format("<h2>{}</h2>\n", escape(section.title));
    for (const auto& block : section.blocks) writer.block(block);
    out += "</section>\n";
  }
  return out;
}

std::string page_head(const std::string& title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>"
      "<style>{}</style></head><body>\n",
      escape(title), kStyle);
}

std::string nav_html(const std::vector<std::pair<std::string, std::string>>& nav) {
  if (nav.empty()) return {};
  std::string out = "<nav>";
  for (const auto& [text, href] : nav) {
    out += fmt::format("<a href=\"{}\">{}</a>", escape(href), escape(text));
  }
  return out + "</nav>\n";
}

std::string html_body(const Document& doc) {
  return fmt::format("<h1>{}</h1>\n", escape(doc.title)) + html_sections(doc);
}

std::string to_html(const Document& doc) {
  return page_head(doc.title) + html_body(doc) + "</body></html>\n";
}

std::string html_escape(const std::string& text) {
  return escape(text);
}

std::string render_html(const runtime::Decision& decision, Audience audience,
                        const std::string* source, const PageContext& context) {
  Document doc = audience == Audience::auditor ? auditor_document(decision, source, context)
                                               : subject_document(subject_view(decision));
  return page_head(doc.title) + nav_html(context.nav) + html_body(doc) + "</body></html>\n";
}

std::string render_history_html(const std::string& subject, const std::vector<HistoryEntry>& entries,
                                Audience audience, const std::string& decision_link,
                                const std::vector<std::pair<std::string, std::string>>& nav) {
  Document index = history_document(subject, entries, audience, decision_link);
  std::string out = page_head(index.title) + nav_html(nav) + html_body(index);
  if (decision_link.rfind('#', 0) == 0) {  // one page: every decision in full below
    for (const auto& e : entries) {
      Document doc = audience == Audience::auditor
                         ? auditor_document(e.decision, e.source, e.context)
                         : subject_document(subject_view(e.decision));
      out += fmt::format("<article id=\"{}\">\n", escape(e.decision.id));
      out += html_body(doc);
      out += "</article>\n";
    }
  }
  return out + "</body></html>\n";
}

}  // namespace bylaw::explain
