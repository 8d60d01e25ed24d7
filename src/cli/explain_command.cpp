// bylaw explain --store FILE ID [--format text|json|html] [--audience auditor|subject] [--output
// FILE] bylaw explain --store FILE --subject ACCOUNT
#include <cstdio>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "args.hpp"
#include "bylaw/explain/explain.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/decision_decoder.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

constexpr const char* kExplainUsage =
    "usage: bylaw explain --store FILE ID [--format text|json|html] [--audience auditor|subject]\n"
    "                     [--output FILE]\n"
    "       bylaw explain --store FILE --subject ACCOUNT\n"
    "Prints one decision's explanation from the audit store: for an auditor (everything the\n"
    "evaluator used) or for the affected account (--audience subject: nothing about others).\n"
    "With --subject, lists an account's decisions in time order, one line each.\n";

int fail(const std::string& message) {
  fmt::print(stderr, "bylaw explain: {}\n", message);
  return kExitFailure;
}

std::optional<runtime::Decision> load(const std::string& json) {
  std::string error;
  auto decision = io::decode_decision(json, error);
  if (!decision)
    fmt::print(stderr, "bylaw explain: a stored decision does not read back: {}\n", error);
  return decision;
}

}  // namespace

int explain_command(const std::vector<std::string>& argv) {
  Args args(argv, {"store", "format", "audience", "output", "subject"}, {"help"});
  if (args.flag("help")) {
    std::fputs(kExplainUsage, stdout);
    return kExitOk;
  }
  if (!args.ok()) return fail(args.error() + "\n" + kExplainUsage);
  if (!args.value("store")) return fail(std::string("--store FILE is required\n") + kExplainUsage);
  std::string error;
  auto store = io::AuditStore::open(*args.value("store"), false, error);
  if (!store) return fail(fmt::format("cannot open store '{}': {}", *args.value("store"), error));

  if (auto subject = args.value("subject")) {
    if (!args.positional().empty())
      return fail("give an account with --subject, or a decision id, not both");
    auto decisions = store->subject_decisions(*subject);
    fmt::print("{}: {} decision{}\n", *subject, decisions.size(), decisions.size() == 1 ? "" : "s");
    for (const auto& json : decisions) {
      if (auto decision = load(json)) fmt::print("{}\n", explain::history_line(*decision));
    }
    return kExitOk;
  }
  if (args.positional().size() != 1)
    return fail(std::string("give one decision id\n") + kExplainUsage);
  const std::string& id = args.positional().front();
  std::string format = args.value("format").value_or("text");
  std::string audience_name = args.value("audience").value_or("auditor");
  if (format != "text" && format != "json" && format != "html") {
    return fail(fmt::format("unknown format '{}' (text, json or html)", format));
  }
  if (audience_name != "auditor" && audience_name != "subject") {
    return fail(fmt::format("unknown audience '{}' (auditor or subject)", audience_name));
  }
  auto audience =
      audience_name == "subject" ? explain::Audience::subject : explain::Audience::auditor;
  auto json = store->decision_json(id);
  if (!json) return fail(fmt::format("no decision '{}' in the store", id));
  auto decision = load(*json);
  if (!decision) return kExitFailure;

  // The rule's source, from the policy text stored with the decisions.
  std::optional<io::StoredPolicy> policy;
  if (auto policy_json = store->policy_json(decision->policy_hash)) {
    policy = io::decode_policy(*policy_json, error);
  }
  const std::string* source = policy ? policy->file(decision->explanation.file) : nullptr;

  std::string rendered;
  if (format == "json") {
    rendered = audience == explain::Audience::subject
                   ? io::encode_subject_view(explain::subject_view(*decision))
                   : io::encode_explanation(*decision);
    rendered += '\n';
  } else if (format == "html") {
    rendered = explain::render_html(*decision, audience, source);
  } else {
    rendered = explain::render_text(*decision, audience, source);
  }
  if (auto path = args.value("output"); path && *path != "-") {
    std::ofstream out(*path, std::ios::binary | std::ios::trunc);
    out << rendered;
    if (!out) return fail(fmt::format("cannot write '{}'", *path));
  } else {
    std::cout << rendered;
  }
  return kExitOk;
}

}  // namespace bylaw::cli
