// Option types the subcommands share, as CLI11 options: durations, positive counts, choices.
// A bad value is a usage error naming the option and what was expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "bylaw/core/time.hpp"

namespace bylaw::cli {

// A whole number written in decimal digits only (no sign, no blanks), or nothing.
std::optional<std::uint64_t> parse_count(const std::string& text);

// A duration as the language writes them (30d, 6mo, 1h30m), or in milliseconds (200ms).
std::optional<Duration> parse_option_duration(const std::string& text);

// --name DURATION (30d, 6mo, 1h30m, 200ms) into `into`; `example` is shown when the value is not
// one.
CLI::Option* add_duration(CLI::App* command, const std::string& name, Duration& into,
                          const std::string& description, const std::string& example);

// --name N, a whole number above zero.
CLI::Option* add_positive_count(CLI::App* command, const std::string& name, std::uint64_t& into,
                                const std::string& description);

// --name N, a whole number (zero allowed).
CLI::Option* add_count(CLI::App* command, const std::string& name, std::size_t& into,
                       const std::string& description);

// --name, a flag that takes no value; given twice, a usage error like any other option.
CLI::Option* add_switch(CLI::App* command, const std::string& name, bool& into,
                        const std::string& description);

// --name WORD, one of `choices` (the first is the default).
CLI::Option* add_choice(CLI::App* command, const std::string& name, std::string& into,
                        const std::vector<std::string>& choices, const std::string& description);

}  // namespace bylaw::cli
