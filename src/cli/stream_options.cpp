#include "stream_options.hpp"

#include "options.hpp"

namespace bylaw::cli {

void add_signing_key(CLI::App* command, io::RunFiles& files, CLI::Option* store) {
  command
      ->add_option("--signing-key", files.signing_key,
                   "Sign the audit chain's head at every checkpoint with this Ed25519 private key "
                   "(PEM; bylaw audit keygen makes one)")
      ->type_name("FILE")
      ->needs(store);
}

void add_stream_files(CLI::App* command, StreamOptions& o) {
  command->add_option("--input", o.files.input, "CloudEvents JSON Lines; - for standard input")
      ->type_name("FILE|-")
      ->capture_default_str();
  command->add_option("--output", o.files.output, "Decisions as JSON Lines; - for standard output")
      ->type_name("FILE|-")
      ->capture_default_str();
  command
      ->add_option("--rejects", o.files.rejects,
                   "Rejected and late lines, one JSON object each (default: the log)")
      ->type_name("FILE|-");
  command
      ->add_option("--rejects-include", o.rejects_include,
                   "Also list these lines in --rejects, with their reason")
      ->delimiter(',')
      ->check(CLI::IsMember({"duplicate", "skipped"}).description(""))
      ->type_name("duplicate,skipped");
  command
      ->add_option("--shadow-output", o.files.shadow_output,
                   "Decisions of rules in shadow mode, marked \"shadow\":true")
      ->type_name("FILE|-");
}

void add_engine_options(CLI::App* command, StreamOptions& o) {
  add_duration(command, "--max-lateness", o.run.max_lateness,
               "How late an event may come and still be evaluated, in time order (default 0s)",
               "0s, 10m, 1h");
  add_duration(command, "--dedup-horizon", o.run.dedup_horizon,
               "How long event ids are remembered to drop duplicates (default 30d)", "7d, 30d");
  add_positive_count(command, "--max-per-key", o.run.max_per_key,
                     "Window entries kept per key, and decisions per subject");
  add_choice(command, "--log-format", o.log_format, {"text", "json"},
             "The log on standard error: lines of text, or one JSON object per line");
}

io::RunOptions run_options(const StreamOptions& o) {
  io::RunOptions options = o.run;
  for (const auto& kind : o.rejects_include) {
    (kind == "duplicate" ? options.report_duplicates : options.report_skipped) = true;
  }
  return options;
}

}  // namespace bylaw::cli
