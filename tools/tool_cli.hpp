// The tools' command lines behave as bylaw's does: help on standard output with exit 0; a usage
// error, with the tool's usage, on standard error with exit 1.
#pragma once

#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

// Nothing when the command line parsed; otherwise the exit code, after saying why.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    return failed->get_name() + ": " + e.what() + "\n";
  });
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    if (app.exit(e, std::cout, std::cerr) == static_cast<int>(CLI::ExitCodes::Success)) return 0;
    std::cerr << "\n" << app.help();
    return 1;
  }
}

// --bylaw, --policy and --input: what the benchmarks run, on what.
inline void add_bylaw_run_inputs(CLI::App& app, std::string& bylaw, std::string& policy,
                                 std::string& input) {
  app.add_option("--bylaw", bylaw, "The bylaw binary")->required()->check(CLI::ExistingFile);
  app.add_option("--policy", policy, "The policy pack")->required()->check(CLI::ExistingFile);
  app.add_option("--input", input, "The event stream (JSON Lines)")
      ->required()
      ->check(CLI::ExistingFile);
}
