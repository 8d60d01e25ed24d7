// Explanations of the sample stream: every field of the trace for each decision kind, and the
// subject's view redacted of every other party.
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "bylaw/check/checker.hpp"
#include "bylaw/explain/explain.hpp"
#include "bylaw/io/decision_decoder.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/stream_runner.hpp"

using namespace bylaw;

namespace {

const std::string kSample = std::string(BYLAW_SOURCE_DIR) + "/examples/marketplace.jsonl";

// The sample stream's decisions, read back from their JSON lines.
const std::vector<runtime::Decision>& sample_decisions() {
  static const std::vector<runtime::Decision> decisions = [] {
    static const check::LoadResult loaded =
        io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/marketplace.policy");
    REQUIRE(loaded.policy);
    std::ifstream input(kSample);
    std::ostringstream output;
    io::run_stream(
        *loaded.policy, input, output, [](auto, auto, auto, auto) {}, io::RunOptions{});
    std::vector<runtime::Decision> out;
    std::istringstream lines(output.str());
    std::string line, error;
    while (std::getline(lines, line)) {
      auto decision = io::decode_decision(line, error);
      REQUIRE(decision);
      CHECK(io::encode_decision(*decision) == line);  // reads back to the same bytes
      out.push_back(std::move(*decision));
    }
    return out;
  }();
  return decisions;
}

const runtime::Decision& first(const std::function<bool(const runtime::Decision&)>& match) {
  for (const auto& d : sample_decisions()) {
    if (match(d)) return d;
  }
  FAIL("no such decision in the sample stream");
  throw;
}

void common_fields(const runtime::Decision& d) {
  const runtime::Trace& t = d.explanation;
  INFO(d.id);
  CHECK_FALSE(t.rule.empty());
  CHECK(t.file.find("rules/") != std::string::npos);
  CHECK(t.first_line > 0);
  CHECK(t.last_line > t.first_line);
  CHECK(t.policy == "marketplace@2026.11");
  CHECK(t.policy_hash.size() == 64);
  CHECK_FALSE(t.summary.empty());
  for (const auto& c : t.conditions) {
    CHECK_FALSE(c.expr.text.empty());
  }
}

}  // namespace

TEST_CASE("a hold's trace has parameters - correlations - conditions - aggregates - margin",
          "[explain][fields]") {
  const auto& d = first([](const auto& x) { return x.kind == check::DecisionKind::hold; });
  common_fields(d);
  const runtime::Trace& t = d.explanation;
  CHECK(t.parameters.size() == 9);
  REQUIRE(t.correlations.size() == 2);
  CHECK(t.correlations[0].found_id == "e-014");
  CHECK_FALSE(t.correlations[0].found_fields.empty());
  CHECK_FALSE(t.correlations[1].found_id.has_value());
  std::set<std::string> clauses;
  for (const auto& c : t.conditions) clauses.insert(c.clause);
  CHECK(clauses == std::set<std::string>{"where", "exclude", "when"});
  // The guard as a tree, with operand values; the skipped branch is marked.
  // The guard is a def's use: its one operand is the def's body.
  REQUIRE(t.conditions[0].expr.text == "negative_feedback(f)");
  REQUIRE(t.conditions[0].expr.operands.size() == 1);
  const runtime::ExprTrace& where = t.conditions[0].expr.operands[0];
  REQUIRE(where.operands.size() == 2);
  const runtime::ExprTrace& rating = where.operands[0].operands[1].operands[0];
  CHECK(rating.text == "f.public_rating <= negative_public_rating");
  CHECK(rating.value == "false");
  CHECK(rating.operands[0].value == "3");
  CHECK(rating.difference == "1");
  REQUIRE(t.aggregates.size() == 1);
  const runtime::AggregateTrace& a = t.aggregates[0];
  CHECK(a.window == "365d");
  CHECK(a.counted.size() == 3);
  CHECK(a.left_out.size() == 1);
  CHECK(a.result == "3");
  REQUIRE(t.margins.size() == 1);
  CHECK(t.margins[0].without == std::vector<std::string>{"e-015"});
  CHECK(t.margins[0].would_be == "2");
  CHECK(t.margins[0].earliest_leaves_at.has_value());
  CHECK(t.margins[0].statement.find("without e-015 the count distinct would be 2, below 3") == 0);
}

TEST_CASE("an alert's trace has its window - counted events and margin", "[explain][fields]") {
  const auto& d = first([](const auto& x) { return x.name == "mass_cancellation"; });
  common_fields(d);
  REQUIRE(d.explanation.aggregates.size() == 1);
  CHECK(d.explanation.aggregates[0].counted.size() == 5);
  CHECK(d.explanation.margins.size() == 1);
  CHECK(d.explanation.parameters.size() == 2);
}

TEST_CASE("an eligibility denial shows the deadline it was checked against and by how much",
          "[explain][fields]") {
  const auto& d = first([](const auto& x) { return x.reason == "window_closed"; });
  common_fields(d);
  const runtime::ConditionTrace& deny = d.explanation.conditions.back();
  CHECK(deny.clause == "deny");
  CHECK(deny.reason == "window_closed");
  CHECK(deny.result);
  const runtime::ExprTrace& deadline = deny.expr.operands[1];
  CHECK(deadline.text == "d.time > work.time + hourly_dispute_window");
  CHECK(deadline.operands[1].value == "2026-07-10T18:00:00Z");
  CHECK(deadline.difference == "2d1s");  // missed the deadline by two days and a second
  const auto& minimum = first([](const auto& x) { return x.reason == "below_minimum"; });
  CHECK(minimum.explanation.conditions.back().expr.difference == "-20");  // $80 against $100
}

TEST_CASE("a release and a timer-fired answer explain themselves too", "[explain][fields]") {
  const auto& release = first([](const auto& x) { return x.kind == check::DecisionKind::release; });
  common_fields(release);
  CHECK(release.explanation.conditions.size() == 1);
  const auto& timer = first([](const auto& x) { return !x.trigger.has_value(); });
  common_fields(timer);
  CHECK(timer.evidence.empty());
  CHECK(timer.explanation.rule == "appeal_window_opens");
}

TEST_CASE("the subject's view names no other party", "[explain][redaction]") {
  // Every id in the stream: event ids and the values of id fields.
  std::set<std::string> ids;
  std::ifstream input(kSample);
  std::string line;
  while (std::getline(input, line)) {
    auto event = nlohmann::json::parse(line);
    ids.insert(event["id"].get<std::string>());
    for (const auto& [field, value] : event["data"].items()) {
      if (value.is_string() && field != "direction" && field != "kind" && field != "outcome" &&
          field != "closed_by" && field != "sender_role" && field != "hold") {
        ids.insert(value.get<std::string>());
      }
    }
  }
  REQUIRE(ids.count("c-666"));
  const std::vector<std::string> never = {"private_score", "refund_for_review", "public_rating",
                                          "off_platform_payment"};
  for (const auto& d : sample_decisions()) {
    explain::SubjectView view = explain::subject_view(d);
    std::string all = explain::render_text(d, explain::Audience::subject, nullptr) +
                      explain::render_html(d, explain::Audience::subject, nullptr) +
                      io::encode_subject_view(view);
    for (const auto& id : ids) {
      if (id == d.subject) continue;
      INFO(d.id << " shows " << id);
      CHECK(all.find("\"" + id + "\"") == std::string::npos);
      CHECK(all.find(" " + id + " ") == std::string::npos);
      CHECK(all.find(id + ",") == std::string::npos);
      CHECK(all.find(id + ")") == std::string::npos);
      CHECK(all.find(">" + id + "<") == std::string::npos);
    }
    for (const auto& word : never) CHECK(all.find(word) == std::string::npos);
    // What the account may see is there: what, why, which rule, and the policy version.
    CHECK(all.find(d.rule) != std::string::npos);
    CHECK(all.find("marketplace@2026.11") != std::string::npos);
  }
}

TEST_CASE("the subject's view says how and when to appeal a hold", "[explain][redaction]") {
  const auto& hold = first([](const auto& x) { return x.kind == check::DecisionKind::hold; });
  explain::SubjectView view = explain::subject_view(hold);
  CHECK(view.next ==
        "You can appeal from 22 October 2026, 15:45 UTC: file an appeal naming the "
        "proposals_blocked restriction.");
  CHECK(view.counts.size() == 1);
  CHECK(view.counts[0] ==
        "3 different clients counted, from 3 events, in the 365 days up to 22 April 2026, 15:45 "
        "UTC (the threshold is 3); 1 other event did not count.");
}

TEST_CASE("the subject's view does not reveal what a private field said",
          "[explain][redaction][private]") {
  // e-015 (c-104: public rating 3, private score 2) counted only because of its private score.
  const auto& hold = first([](const auto& x) { return x.kind == check::DecisionKind::hold; });
  const auto& counted = hold.explanation.aggregates.at(0).counted;
  REQUIRE(counted.size() == 3);
  CHECK(counted[2].id == "e-015");
  bool private_read = false;
  for (const auto& f : counted[2].fields) private_read |= f.is_private && f.name == "private_score";
  CHECK(private_read);
  explain::SubjectView view = explain::subject_view(hold);
  // The dates of the events that counted on public ratings, and not e-015's.
  CHECK(view.dates.size() == 2);
  CHECK(view.dates_withheld == 1);
  for (auto t : view.dates) CHECK(t != counted[2].time);
  std::string all = explain::render_text(hold, explain::Audience::subject, nullptr) +
                    explain::render_html(hold, explain::Audience::subject, nullptr) +
                    io::encode_subject_view(view);
  CHECK(all.find("private") == std::string::npos);
  CHECK(all.find("confidential") != std::string::npos);
  // The dates listed are the other two events' (e-015 happened at the decision's own time).
  std::string text = explain::render_text(hold, explain::Audience::subject, nullptr);
  std::size_t listed = text.find("The counted events happened on");
  REQUIRE(listed != std::string::npos);
  std::string dates = text.substr(listed, text.find('\n', listed) - listed);
  CHECK(dates ==
        "The counted events happened on 3 February 2026, 12:00 UTC; 5 March 2026, 08:30 UTC.");
  // The margin does not name "the most recent" event (which is the one that decided).
  CHECK(view.margin.find("most recent") == std::string::npos);
}

TEST_CASE("a closed window does not say yet - a wait does", "[explain][redaction]") {
  const auto& closed = first([](const auto& x) { return x.reason == "window_closed"; });
  CHECK(explain::subject_view(closed).what.find("yet") == std::string::npos);
  const auto& early = first([](const auto& x) { return x.reason == "too_early"; });
  CHECK(explain::subject_view(early).what.find("cannot go ahead yet: too early") !=
        std::string::npos);
  CHECK(explain::subject_view(early).next.rfind("It becomes possible on ", 0) == 0);
}

TEST_CASE("alerts are for staff: the account gets no view of them", "[explain][redaction]") {
  const auto& alert = first([](const auto& x) { return x.kind == check::DecisionKind::alert; });
  CHECK_FALSE(explain::has_subject_view(alert));
  const auto& hold = first([](const auto& x) { return x.kind == check::DecisionKind::hold; });
  CHECK(explain::has_subject_view(hold));
}

TEST_CASE("the HTML page is self-contained", "[explain][html]") {
  const auto& hold = first([](const auto& x) { return x.kind == check::DecisionKind::hold; });
  std::string page = explain::render_html(hold, explain::Audience::auditor, nullptr);
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("src=") == std::string::npos);
  // Links stay within the page: event ids to their rows.
  for (std::size_t at = page.find("href=\""); at != std::string::npos;
       at = page.find("href=\"", at + 1)) {
    CHECK(page[at + 6] == '#');
  }
  CHECK(page.find("<tr id=\"ev-e-004\"><td>e-004</td>") != std::string::npos);
  CHECK(page.find("<a href=\"#ev-e-015\">e-015</a>") != std::string::npos);  // the evidence
  CHECK(page.find("li class=\"true decided\"") != std::string::npos);        // the `when` that held
  CHECK(page.find("public_rating 3, private_score 2 (private)") != std::string::npos);
}
