// bylaw audit query --store FILE [--subject ID] [--rule R] [--kind K] [--name N] [--from T]
//                   [--to T] [--event EVENT_ID] [--active-holds] [--format text|json|jsonl]
//                   [--limit N] [--after CURSOR]
// The search behind GET /v1/decisions, from the command line: newest first, by decision time.
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/explain/explain.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/decision_decoder.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace bylaw::cli {

namespace {

struct QueryOptions {
  std::string store;
  io::DecisionQuery query;
  std::string from;
  std::string to;
  std::string format = "text";
  std::size_t limit = 50;
};

int fail(const std::string& message) {
  fmt::print(stderr, "bylaw audit query: {}\n", message);
  return kExitFailure;
}

std::string text_line(const std::string& json) {
  std::string error;
  std::optional<runtime::Decision> decision = io::decode_decision(json, error);
  if (!decision) throw std::runtime_error("a stored decision does not read back: " + error);
  return explain::search_line(*decision);
}

void print(const std::vector<io::FoundDecision>& found, const std::string& format) {
  if (format == "jsonl") {
    for (const auto& d : found) std::cout << d.json << '\n';
  } else if (format == "json") {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const auto& d : found) all.push_back(nlohmann::ordered_json::parse(d.json));
    std::cout << all.dump(2) << '\n';
  } else {
    for (const auto& d : found) std::cout << text_line(d.json) << '\n';
  }
}

int run_query(const QueryOptions& options) {
  io::DecisionQuery q = options.query;
  q.limit = options.limit;
  for (auto [text, bound, flag] : {std::tuple{&options.from, &q.from, "--from"},
                                   std::tuple{&options.to, &q.to, "--to"}}) {
    if (text->empty()) continue;
    *bound = parse_time_or_date(*text);
    if (!*bound) return fail(fmt::format("{} '{}': expected an RFC 3339 time or YYYY-MM-DD", flag, *text));
  }
  std::string error;
  auto store = io::AuditStore::open(options.store, false, error);
  if (!store) return fail(fmt::format("cannot open store '{}': {}", options.store, error));
  std::vector<io::FoundDecision> found;
  try {
    found = store->search(q);
  } catch (const std::invalid_argument& e) {
    return fail(fmt::format("--after: {}", e.what()));
  }
  print(found, options.format);
  if (found.size() == q.limit) {
    fmt::print(stderr, "bylaw audit query: {} shown; the next page: --after {}\n", found.size(),
               found.back().cursor);
  }
  return kExitOk;
}

}  // namespace

void add_audit_query_command(CLI::App& audit, Run& chosen) {
  auto o = std::make_shared<QueryOptions>();
  CLI::App* query =
      audit.add_subcommand("query", "Search the stored decisions, newest first by decision time");
  query->footer(
      "Every filter given narrows the search. --from is inclusive, --to exclusive; both take an\n"
      "RFC 3339 time or a date (its midnight UTC). --event finds the decisions that cite that\n"
      "event; --active-holds keeps holds that no later release lifted.");
  query->add_option("--store", o->store, "The audit store (SQLite)")->required()->type_name("FILE");
  query->add_option("--subject", o->query.subject, "The affected account")->type_name("ID");
  query->add_option("--rule", o->query.rule, "The rule that decided")->type_name("RULE");
  query->add_option("--kind", o->query.kind, "The decision's kind")
      ->check(CLI::IsMember({"hold", "release", "alert", "eligibility"}).description(""))
      ->type_name("hold|release|alert|eligibility");
  query->add_option("--name", o->query.name, "The hold, alert or eligibility name")
      ->type_name("NAME");
  query->add_option("--from", o->from, "Decisions at or after")->type_name("TIME");
  query->add_option("--to", o->to, "Decisions before")->type_name("TIME");
  query->add_option("--event", o->query.event, "Decisions citing this event")->type_name("EVENT_ID");
  query->add_flag("--active-holds", o->query.active_holds, "Only holds still in force");
  add_choice(query, "--format", o->format, {"text", "json", "jsonl"}, "Output format");
  query->add_option("--limit", o->limit, "At most this many (default 50)")
      ->type_name("N")
      ->check(CLI::Range(1, 100000));
  query->add_option("--after", o->query.after, "The next page: the cursor the last page named")
      ->type_name("CURSOR");
  run_when_chosen(query, chosen, o, run_query);
}

}  // namespace bylaw::cli
