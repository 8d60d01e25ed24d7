// bylaw explain --store FILE ID [--format text|json|html] [--audience auditor|subject]
//               [--output FILE]
// bylaw explain --store FILE --subject ACCOUNT [the same options]
#include <cstdio>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/explain/explain.hpp"
#include "bylaw/io/audit_pages.hpp"
#include "bylaw/io/audit_store.hpp"
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

explain::Audience audience_of(const ExplainOptions& options) {
  return options.audience == "subject" ? explain::Audience::subject : explain::Audience::auditor;
}

std::string render(const io::LoadedDecision& d, const ExplainOptions& options) {
  explain::Audience audience = audience_of(options);
  if (options.format == "json") {
    return (audience == explain::Audience::subject
                ? io::encode_subject_view(explain::subject_view(d.decision))
                : d.json) +
           "\n";
  }
  if (options.format == "html") return explain::render_html(d.decision, audience, d.source(), d.context);
  return explain::render_text(d.decision, audience, d.source(), d.context);
}

std::string render_history(const std::string& subject, const std::vector<io::LoadedDecision>& all,
                           const ExplainOptions& options) {
  explain::Audience audience = audience_of(options);
  if (options.format == "html") return io::history_page(subject, all, audience, "#{}");
  if (options.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& d : all) {
      out.push_back(nlohmann::ordered_json::parse(
          audience == explain::Audience::subject
              ? io::encode_subject_view(explain::subject_view(d.decision))
              : d.json));
    }
    return out.dump(2) + "\n";
  }
  std::string out =
      fmt::format("{}: {} decision{}\n", subject, all.size(), all.size() == 1 ? "" : "s");
  for (const auto& d : all) {
    out += audience == explain::Audience::subject
               ? "\n" + explain::render_text(d.decision, audience, nullptr)
               : explain::history_line(d.decision) + "\n";
  }
  return out;
}

int write(const std::string& rendered, const std::string& output) {
  if (output.empty() || output == "-") {
    std::cout << rendered;
    return kExitOk;
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out << rendered;
  if (!out) return fail(fmt::format("cannot write '{}'", output));
  return kExitOk;
}

int run_explain(const ExplainOptions& options) {
  std::string error;
  auto store = io::AuditStore::open(options.store, false, error);
  if (!store) return fail(fmt::format("cannot open store '{}': {}", options.store, error));
  try {
    io::DecisionLoader loader(*store, "");
    if (!options.subject.empty()) {
      auto all = loader.history(options.subject, audience_of(options));
      return write(render_history(options.subject, all, options), options.output);
    }
    std::optional<io::LoadedDecision> d = loader.load(options.id);
    if (!d) return fail(fmt::format("no decision '{}' in the store", options.id));
    if (audience_of(options) == explain::Audience::subject &&
        !explain::has_subject_view(d->decision)) {
      return fail(fmt::format("{} is an alert for trust-and-safety staff: the account it is "
                              "about has no view of it",
                              options.id));
    }
    return write(render(*d, options), options.output);
  } catch (const std::runtime_error& e) {
    return fail(e.what());
  }
}

}  // namespace

void add_explain_command(CLI::App& bylaw, Run& chosen) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* explain = bylaw.add_subcommand(
      "explain", "Print one decision's explanation, or an account's decisions");
  explain->footer(
      "For an auditor, everything the evaluator used; for the affected account (--audience\n"
      "subject), nothing about others. --format json prints the whole decision (or the\n"
      "account's view). With --subject, the account's decisions oldest first: one line each in\n"
      "text, an array in json, one page linking each decision in html.");
  explain->add_option("--store", options->store, "The audit store (SQLite)")
      ->required()
      ->type_name("FILE");
  CLI::Option* id =
      explain->add_option("ID", options->id, "The decision's id (d-...)")->type_name("DECISION_ID");
  CLI::Option* subject =
      explain->add_option("--subject", options->subject, "An account's decisions instead")
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
