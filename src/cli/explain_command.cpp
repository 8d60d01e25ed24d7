// bylaw explain --store FILE ID [--format text|json|html] [--audience auditor|subject]
//               [--output FILE]
// bylaw explain --store FILE --subject ACCOUNT
#include <cstdio>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "bylaw/explain/explain.hpp"
#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/decision_decoder.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace bylaw::cli {

namespace {

struct ExplainOptions {
  std::string store;
  std::string id;
  std::string subject;
  std::string format;
  std::string audience;
  std::string output;
};

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

int list_subject(const io::AuditStore& store, const std::string& subject) {
  auto decisions = store.subject_decisions(subject);
  fmt::print("{}: {} decision{}\n", subject, decisions.size(), decisions.size() == 1 ? "" : "s");
  for (const auto& json : decisions) {
    if (auto decision = load(json)) fmt::print("{}\n", explain::history_line(*decision));
  }
  return kExitOk;
}

std::string render(const runtime::Decision& decision, const ExplainOptions& options,
                   const std::string* source) {
  auto audience =
      options.audience == "subject" ? explain::Audience::subject : explain::Audience::auditor;
  if (options.format == "json") {
    return (audience == explain::Audience::subject
                ? io::encode_subject_view(explain::subject_view(decision))
                : io::encode_explanation(decision)) +
           "\n";
  }
  if (options.format == "html") return explain::render_html(decision, audience, source);
  return explain::render_text(decision, audience, source);
}

int explain_decision(const io::AuditStore& store, const ExplainOptions& options) {
  auto json = store.decision_json(options.id);
  if (!json) return fail(fmt::format("no decision '{}' in the store", options.id));
  auto decision = load(*json);
  if (!decision) return kExitFailure;
  // The rule's source, from the policy text stored with the decisions.
  std::optional<io::StoredPolicy> policy;
  std::string error;
  if (auto policy_json = store.policy_json(decision->policy_hash)) {
    policy = io::decode_policy(*policy_json, error);
  }
  const std::string* source = policy ? policy->file(decision->explanation.file) : nullptr;
  std::string rendered = render(*decision, options, source);
  if (options.output.empty() || options.output == "-") {
    std::cout << rendered;
    return kExitOk;
  }
  std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
  out << rendered;
  if (!out) return fail(fmt::format("cannot write '{}'", options.output));
  return kExitOk;
}

int run_explain(const ExplainOptions& options) {
  std::string error;
  auto store = io::AuditStore::open(options.store, false, error);
  if (!store) return fail(fmt::format("cannot open store '{}': {}", options.store, error));
  if (!options.subject.empty()) return list_subject(*store, options.subject);
  return explain_decision(*store, options);
}

}  // namespace

void add_explain_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* explain = bylaw.add_subcommand(
      "explain", "Print one decision's explanation (or list an account's decisions)");
  explain->footer(
      "For an auditor, everything the evaluator used; for the affected account (--audience\n"
      "subject), nothing about others. With --subject, an account's decisions in time order,\n"
      "one line each.");
  explain->add_option("--store", options->store, "The audit store (SQLite)")
      ->required()
      ->type_name("FILE");
  CLI::Option* id =
      explain->add_option("ID", options->id, "The decision's id (d-...)")->type_name("DECISION_ID");
  CLI::Option* subject =
      explain->add_option("--subject", options->subject, "List this account's decisions instead")
          ->type_name("ACCOUNT");
  id->excludes(subject);
  add_choice(explain, "--format", options->format, {"text", "json", "html"}, "Output format");
  add_choice(explain, "--audience", options->audience, {"auditor", "subject"},
             "Who reads it: an auditor, or the affected account");
  explain->add_option("--output", options->output, "Write here instead of standard output")
      ->type_name("FILE");
  explain->callback([&chosen, options, id, subject] {
    if (id->count() == 0 && subject->count() == 0) {
      throw CLI::RequiredError("a decision id or --subject ACCOUNT");
    }
    chosen = [options] { return run_explain(*options); };
  });
}

}  // namespace bylaw::cli
