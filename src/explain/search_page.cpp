// The auditors' search page: the form, then the results as a table of the same renderer.
#include <fmt/format.h>

#include "document.hpp"

namespace bylaw::explain {

namespace {

std::string input(const char* name, const char* label, const std::string& value,
                  const char* placeholder) {
  return fmt::format(
      "<label>{}<input name=\"{}\" value=\"{}\" placeholder=\"{}\"></label>", label, name,
      html_escape(value), placeholder);
}

std::string kind_select(const std::string& chosen) {
  std::string out = "<label>kind<select name=\"kind\"><option value=\"\">any</option>";
  for (const char* kind : {"hold", "release", "alert", "eligibility"}) {
    out += fmt::format("<option{}>{}</option>", chosen == kind ? " selected" : "", kind);
  }
  return out + "</select></label>";
}

std::string form_html(const SearchPage& page) {
  const SearchForm& f = page.form;
  std::string out = fmt::format("<form class=\"search\" method=\"get\" action=\"{}\">",
                                html_escape(page.action));
  out += input("subject", "account", f.subject, "f-12");
  out += input("rule", "rule", f.rule, "negative_feedback_block");
  out += kind_select(f.kind);
  out += input("name", "name", f.name, "proposals_blocked");
  out += input("from", "from", f.from, "2026-01-01");
  out += input("to", "to (before)", f.to, "2027-01-01");
  out += input("event", "cites event", f.event, "e-015");
  out += fmt::format(
      "<label>active holds<input type=\"checkbox\" name=\"active_holds\" value=\"1\"{}></label>",
      f.active_holds ? " checked" : "");
  return out + "<button type=\"submit\">Search</button></form>\n";
}

Document results_document(const SearchPage& page) {
  Document doc;
  Table table{{"time", "account", "decision", "outcome", "rule", "id"}, {}};
  for (const auto& d : page.results) {
    table.rows.push_back({format_rfc3339(d.time), d.subject,
                          fmt::format("{} {}", check::decision_kind_name(d.kind), d.name),
                          outcome_text(d), d.rule, d.id});
    doc.links[d.id] = fmt::format(fmt::runtime(page.decision_link), d.id);
    doc.links[d.subject] = fmt::format(fmt::runtime(page.subject_link), d.subject);
  }
  std::string count = fmt::format("{} decision{}{}", page.results.size(),
                                  page.results.size() == 1 ? "" : "s",
                                  page.next_link.empty() ? "" : " (more on the next page)");
  doc.sections.emplace_back("Results", std::vector<Block>{count, table}, "results");
  return doc;
}

}  // namespace

std::string render_search_page(const SearchPage& page) {
  std::string out = page_head("bylaw audit: search decisions");
  out += "<h1>Search decisions</h1>\n" + form_html(page);
  if (!page.error.empty()) {
    out += fmt::format("<p class=\"error\" role=\"alert\">{}</p>\n", html_escape(page.error));
  } else if (page.searched) {
    out += html_sections(results_document(page));  // the page has its own title
    if (!page.next_link.empty()) {
      out += fmt::format("<p><a rel=\"next\" href=\"{}\">Next page</a></p>\n",
                         html_escape(page.next_link));
    }
  }
  return out + "</body></html>\n";
}

}  // namespace bylaw::explain
