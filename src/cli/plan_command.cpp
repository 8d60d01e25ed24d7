// bylaw plan --policy FILE [--format text|json]: the key analysis of a pack (docs/scaling.md):
// for every rule, the key of each piece of state it reads or writes, and the keyed steps it runs
// in when the state is partitioned by key.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/plan/keys.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

struct PlanOptions {
  std::string policy;
  std::string format = "text";
};

std::string joined(const std::vector<std::string>& parts) {
  return fmt::format("{}", fmt::join(parts, ", "));
}

void print_access(const plan::StateAccess& a) {
  std::string indexed =
      a.indexed_by.empty() ? "" : fmt::format(" (indexed by {})", joined(a.indexed_by));
  fmt::print("    {:<6} {:<8} {}: key {}{}\n", a.writes ? "writes" : "reads",
             plan::state_kind_name(a.kind), a.what, joined(a.key), indexed);
}

void print_rule(const plan::RuleKeys& rule) {
  fmt::print("\n{} (on {}): ", rule.rule, rule.trigger);
  if (rule.steps.empty()) {
    fmt::print("no keyed state; evaluated wherever its event is\n");
    return;
  }
  fmt::print("{} step{}\n", rule.steps.size(), rule.steps.size() == 1 ? "" : "s");
  for (std::size_t s = 0; s < rule.steps.size(); ++s) {
    const plan::Step& step = rule.steps[s];
    fmt::print("  step {} at {}\n", s + 1, step.key);
    if (!step.forwarded.empty()) fmt::print("    handed on: {}\n", joined(step.forwarded));
    for (std::size_t i : step.accesses) print_access(rule.accesses[i]);
  }
}

// Where each event type read from the input goes first: the first step of every rule it sets
// off, and every `latest` index it feeds.
void print_routing(const check::Policy& policy, const plan::KeyAnalysis& analysis) {
  fmt::print("\nrouting (each event goes to the partition of each key):\n");
  for (const auto& type : policy.schema.types) {
    if (type.raised()) continue;
    std::vector<std::string> to;
    for (const auto& rule : analysis.rules) {
      if (rule.steps.empty() || rule.trigger_type != type.name) continue;
      to.push_back(fmt::format("{} step 1 at {}", rule.rule, rule.steps.front().key));
    }
    for (const auto& feed : analysis.feeds) {
      if (feed.event_type != type.name) continue;
      to.push_back(fmt::format("{}'s index {} at {}", feed.rule, feed.index, feed.partition_key));
    }
    fmt::print("  {} -> {}\n", type.name, to.empty() ? "nowhere (no rule reads it)" : joined(to));
  }
}

nlohmann::ordered_json as_json(const check::Policy& policy, const plan::KeyAnalysis& analysis) {
  using nlohmann::ordered_json;
  ordered_json rules = ordered_json::array();
  for (const auto& rule : analysis.rules) {
    ordered_json accesses = ordered_json::array();
    for (const auto& a : rule.accesses) {
      accesses.push_back({{"state", plan::state_kind_name(a.kind)},
                          {"writes", a.writes},
                          {"what", a.what},
                          {"key", a.key},
                          {"partition_key", a.partition_key},
                          {"binds", a.binds},
                          {"indexed_by", a.indexed_by}});
    }
    ordered_json steps = ordered_json::array();
    for (const auto& step : rule.steps) {
      steps.push_back(
          {{"key", step.key}, {"accesses", step.accesses}, {"handed_on", step.forwarded}});
    }
    rules.push_back({{"rule", rule.rule},
                     {"trigger", rule.trigger},
                     {"accesses", std::move(accesses)},
                     {"steps", std::move(steps)}});
  }
  ordered_json feeds = ordered_json::array();
  for (const auto& f : analysis.feeds) {
    feeds.push_back({{"event_type", f.event_type},
                     {"rule", f.rule},
                     {"index", f.index},
                     {"partition_key", f.partition_key}});
  }
  return {{"policy", policy.name},
          {"version", policy.version},
          {"policy_hash", policy.hash},
          {"rules", std::move(rules)},
          {"index_feeds", std::move(feeds)}};
}

int run_plan(const PlanOptions& options) {
  check::LoadResult result = io::load_policy_file(options.policy);
  if (!result.policy) {
    std::fputs(result.render().c_str(), stderr);
    fmt::print(stderr, "{}: the policy does not load (bylaw check says more)\n", options.policy);
    return kExitBadPolicy;
  }
  const check::Policy& policy = *result.policy;
  plan::Plan plan = plan::make_plan(policy);
  plan::KeyAnalysis analysis = plan::analyse_keys(policy, plan);
  if (options.format == "json") {
    fmt::print("{}\n", as_json(policy, analysis).dump(2));
    return kExitOk;
  }
  std::size_t hops = 0;
  for (const auto& rule : analysis.rules) hops += rule.steps.size() > 1 ? 1 : 0;
  fmt::print("policy {}@{}: {} rules, {} of them in more than one step\n", policy.name,
             policy.version, analysis.rules.size(), hops);
  for (const auto& rule : analysis.rules) print_rule(rule);
  print_routing(policy, analysis);
  return kExitOk;
}

}  // namespace

void add_plan_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<PlanOptions>();
  CLI::App* command = bylaw.add_subcommand(
      "plan", "Print the key of each rule's state, and the steps it runs in when partitioned");
  command->footer(
      "For scaling out over partitions (docs/scaling.md): every read and write of keyed state\n"
      "(latest indexes, windows, holds, remembered decisions, timers) with the expression of its\n"
      "key, in the order the rule evaluates them; consecutive accesses under one key make one\n"
      "step, and what a step hands on to the next. `off` rules are left out. Exits 0, or 2 when\n"
      "the policy does not load.");
  command->add_option("--policy", options->policy, "The policy pack (*.policy)")
      ->required()
      ->type_name("FILE");
  command->add_option("--format", options->format, "text (the default) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  run_when_chosen(command, chosen, options, run_plan);
}

}  // namespace bylaw::cli
