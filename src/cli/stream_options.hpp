// The options `run` and `serve` share: where events come from and where decisions, rejects and
// shadow decisions go, how the engine keeps state, and the log's format.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bylaw/io/run_files.hpp"
#include "bylaw/io/stream_runner.hpp"

namespace bylaw::cli {

struct StreamOptions {
  io::RunFiles files;
  io::RunOptions run;                        // lateness, horizon, caps
  std::vector<std::string> rejects_include;  // duplicate, skipped
  std::string log_format = "text";
};

// --input, --output, --rejects, --rejects-include, --shadow-output.
void add_stream_files(CLI::App* command, StreamOptions& o);
// --signing-key FILE, which needs `store`.
void add_signing_key(CLI::App* command, io::RunFiles& files, CLI::Option* store);
// --max-lateness, --dedup-horizon, --max-per-key, --log-format.
void add_engine_options(CLI::App* command, StreamOptions& o);
// The run options with --rejects-include applied.
io::RunOptions run_options(const StreamOptions& o);

}  // namespace bylaw::cli
