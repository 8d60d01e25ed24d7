// The shipped marketplace pack: it must check with no errors and no warnings, and say what
// ../shared/spec/marketplace-policy.md says.
#include <catch2/catch.hpp>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/disk_files.hpp"

using namespace bylaw;
using namespace bylaw::check;

namespace {

const Policy& marketplace() {
  static const LoadResult result =
      io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/marketplace.policy");
  INFO(result.render());
  REQUIRE(result.policy.has_value());
  REQUIRE(result.diagnostics.all().empty());
  return *result.policy;
}

const Value& param(const Policy& policy, const char* name) {
  std::optional<std::size_t> index = policy.find_param(name);
  REQUIRE(index);
  return policy.params[*index].value;
}

const Rule& rule(const Policy& policy, const char* name) {
  std::optional<std::size_t> index = policy.find_rule(name);
  REQUIRE(index);
  return policy.rules[*index];
}

}  // namespace

TEST_CASE("the marketplace pack checks with no errors and no warnings", "[marketplace]") {
  const Policy& policy = marketplace();
  CHECK(policy.name == "marketplace");
  CHECK(policy.version == "2026.11");
  CHECK(policy.rules.size() == 10);
}

TEST_CASE("the schema declares every event type of the event contract", "[marketplace]") {
  const Policy& policy = marketplace();
  for (const char* type : {"contract.started", "work.submitted", "contract.closed",
                           "feedback.submitted", "message.sent", "dispute.opened",
                           "arbitration.requested", "appeal.filed", "appeal.resolved"}) {
    INFO(type);
    CHECK(policy.schema.find(type) >= 0);
  }
  const EventTypeDef& feedback =
      policy.schema.types[static_cast<std::size_t>(policy.schema.find("feedback.submitted"))];
  const FieldDef* rating = feedback.find("public_rating");
  REQUIRE(rating);
  CHECK(rating->type.optional);
  CHECK(rating->min == 1);
  CHECK(rating->max == 5);
  CHECK(feedback.find("private_score")->max == 10);
}

TEST_CASE("every bold parameter of the policy has its value", "[marketplace]") {
  const Policy& policy = marketplace();
  auto days = [](std::int64_t n) { return Duration{0, n * kMicrosPerDay}; };
  CHECK(std::get<std::int64_t>(param(policy, "negative_public_rating")) == 2);
  CHECK(std::get<std::int64_t>(param(policy, "negative_private_score")) == 4);
  CHECK(std::get<Duration>(param(policy, "feedback_window")) == days(14));
  CHECK(std::get<Duration>(param(policy, "negative_window")) == days(365));
  CHECK(std::get<std::int64_t>(param(policy, "min_clients")) == 3);
  CHECK(std::get<Duration>(param(policy, "appeal_wait")) == Duration{6, 0});
  CHECK(std::get<std::int64_t>(param(policy, "manipulation_contracts")) == 2);
  CHECK(std::get<Duration>(param(policy, "manipulation_window")) == days(365));
  CHECK(std::get<std::int64_t>(param(policy, "mass_cancel_count")) == 5);
  CHECK(std::get<Duration>(param(policy, "mass_cancel_window")) ==
        Duration{0, 24 * kMicrosPerHour});
  CHECK(std::get<Duration>(param(policy, "fixed_dispute_window")) == days(30));
  CHECK(std::get<Duration>(param(policy, "hourly_dispute_window")) == days(5));
  CHECK(std::get<double>(param(policy, "arbitration_minimum")) == 100.0);
  CHECK(std::get<StringSet>(param(policy, "negative_reasons")) ==
        StringSet::from({"skills", "experience", "availability", "performance"}));
}

TEST_CASE("rule 1 counts distinct clients per freelancer - leaving out what the policy says",
          "[marketplace]") {
  const Rule& block = rule(marketplace(), "negative_feedback_block");
  CHECK(block.correlations.size() == 2);  // the contract's close, the client's flag
  REQUIRE(block.exclusions.size() == 3);
  CHECK(block.exclusions[0].reason == "zero-dollar contract");
  REQUIRE(block.aggregates.size() == 1);
  CHECK(block.aggregates[0].distinct);
  CHECK(block.aggregates[0].value->text == "f.client");
  CHECK(block.aggregates[0].key.text == "f.freelancer");
  CHECK(block.aggregates[0].after.has_value());
  const ActionDef& hold = block.actions.at(0);
  CHECK(hold.static_name == "proposals_blocked");
  CHECK(hold.scope == std::vector<std::string>{"proposals", "new_contracts"});
  REQUIRE(hold.evidence.size() == 1);
  CHECK(hold.evidence[0].kind == EvidenceRef::Kind::let);
}

TEST_CASE("rules 2 to 6 have the shape of the policy in words", "[marketplace]") {
  const Policy& policy = marketplace();
  const ActionDef& appeal = rule(policy, "appeal_request").actions.at(0);
  REQUIRE(appeal.denies.size() == 2);
  CHECK(appeal.denies[0].reason == "no_active_hold");
  CHECK(appeal.denies[1].reason == "too_early");
  CHECK(appeal.denies[1].until.has_value());
  const Rule& denied = rule(policy, "appeal_denied");
  CHECK(denied.actions.at(0).kind == ActionKind::postpone);
  CHECK(denied.actions.at(1).denies.at(0).reason == "denied");
  CHECK(rule(policy, "appeal_window_opens").timer);
  CHECK(rule(policy, "feedback_manipulation_alert").actions.at(0).severity == AlertSeverity::high);
  const ActionDef& suspend = rule(policy, "feedback_manipulation_hold").actions.at(0);
  CHECK(suspend.evidence.at(0).kind == EvidenceRef::Kind::first_per_value);
  CHECK(suspend.scope.empty());
  CHECK(rule(policy, "mass_cancellation").histories.size() == 1);
  const ActionDef& dispute = rule(policy, "dispute_eligibility").actions.at(0);
  CHECK(dispute.denies.size() == 3);
  CHECK(dispute.evidence.size() == 2);
  const ActionDef& arbitration = rule(policy, "arbitration_eligibility").actions.at(0);
  CHECK(arbitration.denies.at(0).reason == "below_minimum");
  CHECK(arbitration.denies.at(1).reason == "no_dispute");
  CHECK(arbitration.allow->evidence.size() == 2);
}
