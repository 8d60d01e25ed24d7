// The key analysis (docs/scaling.md): under which key each rule's state lives, and the steps a
// rule needs when state is partitioned by key. Worked by hand from the marketplace pack's rules.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../support.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/plan/keys.hpp"

using namespace bylaw;
using plan::StateKind;

namespace {

const check::Policy& marketplace() {
  static const check::LoadResult result =
      io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/marketplace.policy");
  REQUIRE(result.policy.has_value());
  return *result.policy;
}

plan::KeyAnalysis analyse(const check::Policy& policy) {
  return plan::analyse_keys(policy, plan::make_plan(policy));
}

const plan::RuleKeys& rule(const plan::KeyAnalysis& analysis, const std::string& name) {
  auto it = std::find_if(analysis.rules.begin(), analysis.rules.end(),
                         [&name](const plan::RuleKeys& r) { return r.rule == name; });
  REQUIRE(it != analysis.rules.end());
  return *it;
}

std::vector<std::string> step_keys(const plan::RuleKeys& rule) {
  std::vector<std::string> keys;
  for (const auto& step : rule.steps) keys.push_back(step.key);
  return keys;
}

}  // namespace

TEST_CASE("rule 1 runs in two steps: lookups by contract, then the count and hold by freelancer",
          "[plan][keys]") {
  auto analysis = analyse(marketplace());
  const auto& r1 = rule(analysis, "negative_feedback_block");
  CHECK(r1.trigger == "feedback.submitted as f");
  CHECK(step_keys(r1) == std::vector<std::string>{"f.contract", "f.freelancer"});

  // Step 1: the two `latest` lookups; the flag's key is composite and shares the contract.
  const auto& first = r1.steps[0];
  REQUIRE(first.accesses.size() == 2);
  const auto& close = r1.accesses[first.accesses[0]];
  CHECK(close.kind == StateKind::latest);
  CHECK(close.binds == "close");
  CHECK(close.event_type == "contract.closed");
  CHECK(close.key == std::vector<std::string>{"f.contract"});
  CHECK(close.indexed_by == std::vector<std::string>{"c.contract"});
  const auto& flag = r1.accesses[first.accesses[1]];
  CHECK(flag.binds == "flag");
  CHECK(flag.key == std::vector<std::string>{"f.contract", "f.client"});
  CHECK(flag.partition_key == "f.contract");

  // Step 2: the window, the hold's reads and the hold, all by freelancer; it is handed what step
  // 1 read.
  const auto& second = r1.steps[1];
  CHECK(second.forwarded == std::vector<std::string>{"close", "flag"});
  std::vector<StateKind> kinds;
  for (std::size_t i : second.accesses) {
    kinds.push_back(r1.accesses[i].kind);
    CHECK(r1.accesses[i].partition_key == "f.freelancer");
  }
  CHECK(kinds == std::vector<StateKind>{StateKind::window, StateKind::hold, StateKind::hold,
                                        StateKind::hold});
  CHECK(r1.accesses[second.accesses.back()].writes);
}

TEST_CASE("every other marketplace rule runs in one step under one key", "[plan][keys]") {
  auto analysis = analyse(marketplace());
  CHECK(step_keys(rule(analysis, "mass_cancellation")) == std::vector<std::string>{"c.client"});
  CHECK(step_keys(rule(analysis, "feedback_manipulation_alert")) ==
        std::vector<std::string>{"m.contract"});
  CHECK(step_keys(rule(analysis, "feedback_manipulation_hold")) ==
        std::vector<std::string>{"m.sender"});
  CHECK(step_keys(rule(analysis, "dispute_eligibility")) == std::vector<std::string>{"d.contract"});
  CHECK(step_keys(rule(analysis, "arbitration_eligibility")) ==
        std::vector<std::string>{"r.contract"});
  CHECK(step_keys(rule(analysis, "appeal_request")) == std::vector<std::string>{"a.subject"});
  CHECK(step_keys(rule(analysis, "appeal_denied")) == std::vector<std::string>{"r.subject"});
  CHECK(step_keys(rule(analysis, "appeal_window_opens")) == std::vector<std::string>{"h.subject"});
  // Dispute answers are remembered for arbitration: a write of history under the contract.
  const auto& disputes = rule(analysis, "dispute_eligibility");
  CHECK(std::any_of(disputes.accesses.begin(), disputes.accesses.end(), [](const auto& a) {
    return a.kind == StateKind::history && a.writes && a.key.front() == "d.contract";
  }));
}

TEST_CASE("events that feed a latest index are routed to the partition of its key",
          "[plan][keys]") {
  auto analysis = analyse(marketplace());
  auto fed = [&analysis](const std::string& type, const std::string& index) {
    for (const auto& f : analysis.feeds) {
      if (f.event_type == type && f.index == index) return f.partition_key;
    }
    return std::string("(not fed)");
  };
  CHECK(fed("contract.closed", "close") == "c.contract");
  CHECK(fed("message.sent", "flag") == "m.contract");
  CHECK(fed("work.submitted", "work") == "w.contract");
}

TEST_CASE(
    "the extended pack: a composite key joins the step of the rule's other accesses and "
    "rules on decisions start at the decision's subject",
    "[plan][keys]") {
  static const check::LoadResult extended =
      io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/extended.policy");
  REQUIRE(extended.policy.has_value());
  auto analysis = analyse(*extended.policy);
  // The alert is remembered under its sender, so the (contract, sender) index goes there too.
  const auto& alert = rule(analysis, "feedback_manipulation_alert");
  CHECK(step_keys(alert) == std::vector<std::string>{"m.sender"});
  CHECK(alert.accesses.front().partition_key == "m.sender");
  const auto& suspension = rule(analysis, "client_suspension");
  CHECK(step_keys(suspension) == std::vector<std::string>{"a.subject"});
  CHECK(suspension.accesses.front().kind == StateKind::decision);
  const auto& lapse = rule(analysis, "block_lapse_starts");
  CHECK(lapse.accesses.back().kind == StateKind::timer);
  CHECK(lapse.accesses.back().writes);
  // An alert nobody remembers or reacts to touches no keyed state.
  CHECK(rule(analysis, "off_platform_payment_alert").steps.empty());
}

TEST_CASE("steps follow the order of evaluation, and a key met again is a step again",
          "[plan][keys]") {
  auto policy = testing::policy_of(R"(
event order.placed {
  order: id
  buyer: id
  seller: id
}
hold buying_blocked { not appealable }
rule back_and_forth {
  on order.placed as o
  let before = latest order.placed as p where p.order == o.order
  where before is absent
  exclude "blocked buyer" when held(o.buyer, buying_blocked)
  count per o.order over 30d as orders
  when orders >= 1
  then hold buying_blocked on o.seller say "Blocked."
}
)");
  auto analysis = analyse(policy);
  const auto& r = rule(analysis, "back_and_forth");
  CHECK(step_keys(r) == std::vector<std::string>{"o.order", "o.buyer", "o.order", "o.seller"});
  CHECK(r.steps[1].forwarded == std::vector<std::string>{"before"});
  // Step 3 is handed both reads before it: the lookup, and the hold the exclusion read.
  CHECK(r.steps[2].forwarded == std::vector<std::string>{"before", "hold buying_blocked (held)"});
}

TEST_CASE("off rules are left out of the analysis", "[plan][keys]") {
  auto policy = testing::policy_of(R"(
event ping.sent {
  account: id
}
alert pinged { display "Pinged" }
rule quiet {
  on ping.sent as p
  then alert pinged on p.account severity low say "Pinged."
}
)",
                                   "  mode quiet = off");
  CHECK(analyse(policy).rules.empty());
}
