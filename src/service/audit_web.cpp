#include "audit_web.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "bylaw/explain/explain.hpp"
#include "bylaw/io/audit_pages.hpp"
#include "bylaw/io/decision_decoder.hpp"

namespace bylaw::service {

namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kDecisionLink = "/audit/decisions/{}";
constexpr const char* kSubjectLink = "/audit/subjects/{}";
constexpr std::size_t kPageSize = 50;

std::string url_encode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string param(const Params& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::optional<Time> bound(const std::string& text, const char* name) {
  if (text.empty()) return std::nullopt;
  std::optional<Time> t = parse_time_or_date(text);
  if (!t)
    throw std::invalid_argument(
        fmt::format("{} '{}': expected a date (2026-04-22) or an "
                    "RFC 3339 time",
                    name, text));
  return t;
}

std::string query_string(const explain::SearchForm& f, const std::string& after) {
  std::string out;
  auto add = [&out](const char* name, const std::string& value) {
    if (value.empty()) return;
    out += fmt::format("{}{}={}", out.empty() ? "?" : "&", name, url_encode(value));
  };
  add("subject", f.subject);
  add("rule", f.rule);
  add("kind", f.kind);
  add("name", f.name);
  add("from", f.from);
  add("to", f.to);
  add("event", f.event);
  add("active_holds", f.active_holds ? "1" : "");
  add("after", after);
  return out;
}

std::vector<std::pair<std::string, std::string>> nav(const std::string& subject) {
  std::vector<std::pair<std::string, std::string>> links = {{"Search", "/audit/search"}};
  if (!subject.empty()) {
    links.emplace_back("Account " + subject, fmt::format(kSubjectLink, url_encode(subject)));
  }
  return links;
}

void run_search(const io::AuditStore& store, explain::SearchPage& page, const std::string& after) {
  const explain::SearchForm& f = page.form;
  io::DecisionQuery q;
  q.subject = f.subject;
  q.rule = f.rule;
  q.kind = f.kind;
  q.name = f.name;
  q.event = f.event;
  q.active_holds = f.active_holds;
  q.from = bound(f.from, "from");
  q.to = bound(f.to, "to");
  q.after = after;
  q.limit = kPageSize;
  std::vector<io::FoundDecision> found = store.search(q);
  for (const auto& d : found) {
    std::string error;
    auto decision = io::decode_decision(d.json, error);
    if (!decision) throw std::runtime_error("a stored decision does not read back: " + error);
    page.results.push_back(std::move(*decision));
  }
  if (found.size() == kPageSize) {
    page.next_link = "/audit/search" + query_string(f, found.back().cursor);
  }
}

}  // namespace

ApiAnswer search_page(const io::AuditStore& store, const Params& params) {
  explain::SearchPage page;
  page.action = "/audit/search";
  page.decision_link = kDecisionLink;
  page.subject_link = kSubjectLink;
  explain::SearchForm& f = page.form;
  f.subject = param(params, "subject");
  f.rule = param(params, "rule");
  f.kind = param(params, "kind");
  f.name = param(params, "name");
  f.from = param(params, "from");
  f.to = param(params, "to");
  f.event = param(params, "event");
  f.active_holds = !param(params, "active_holds").empty();
  page.searched = !query_string(f, "").empty();
  int status = 200;
  if (page.searched) {
    try {
      run_search(store, page, param(params, "after"));
    } catch (const std::invalid_argument& e) {
      page.error = e.what();
      status = 400;
    }
  }
  return {status, explain::render_search_page(page), kHtml};
}

ApiAnswer decision_page(const io::AuditStore& store, const std::string& id) {
  io::DecisionLoader loader(store, kDecisionLink);
  std::optional<io::LoadedDecision> d = loader.load(id);
  if (!d) {
    explain::SearchPage page;
    page.action = "/audit/search";
    page.error = fmt::format("No decision '{}' in the store.", id);
    return {404, explain::render_search_page(page), kHtml};
  }
  d->context.nav = nav(d->decision.subject);
  return {200,
          explain::render_html(d->decision, explain::Audience::auditor, d->source(), d->context),
          kHtml};
}

ApiAnswer subject_page(const io::AuditStore& store, const std::string& subject) {
  io::DecisionLoader loader(store, kDecisionLink);
  auto all = loader.history(subject, explain::Audience::auditor);
  return {all.empty() ? 404 : 200,
          io::history_page(subject, all, explain::Audience::auditor, kDecisionLink, nav("")),
          kHtml};
}

}  // namespace bylaw::service
