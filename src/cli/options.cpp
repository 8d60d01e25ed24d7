#include "options.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace bylaw::cli {

std::optional<std::uint64_t> parse_count(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

std::optional<Duration> parse_option_duration(const std::string& text) {
  // Milliseconds too, for intervals of the process (not of event time: the language has none).
  if (text.size() > 2 && text.ends_with("ms")) {
    std::optional<std::uint64_t> ms = parse_count(text.substr(0, text.size() - 2));
    if (!ms || *ms > 1'000'000'000) return std::nullopt;
    return Duration{0, static_cast<std::int64_t>(*ms) * 1000};
  }
  return parse_duration(text);
}

CLI::Option* add_duration(CLI::App* command, const std::string& name, Duration& into,
                          const std::string& description, const std::string& example) {
  auto parse = [name, example, &into](const std::string& text) {
    std::optional<Duration> parsed = parse_option_duration(text);
    if (!parsed) {
      throw CLI::ValidationError(
          name, fmt::format("'{}' is not a duration (for example {})", text, example));
    }
    into = *parsed;
  };
  return command->add_option_function<std::string>(name, parse, description)->type_name("DURATION");
}

namespace {

template <class Count>
CLI::Option* add_counted(CLI::App* command, const std::string& name, Count& into,
                         const std::string& description, bool zero_allowed) {
  auto parse = [name, zero_allowed, &into](const std::string& text) {
    std::optional<std::uint64_t> n = parse_count(text);
    if (!n || (*n == 0 && !zero_allowed)) {
      throw CLI::ValidationError(
          name, fmt::format("'{}' is not a {}number", text, zero_allowed ? "" : "positive "));
    }
    into = static_cast<Count>(*n);
  };
  return command->add_option_function<std::string>(name, parse, description)->type_name("N");
}

}  // namespace

CLI::Option* add_positive_count(CLI::App* command, const std::string& name, std::uint64_t& into,
                                const std::string& description) {
  return add_counted(command, name, into, fmt::format("{} (default {})", description, into), false);
}

CLI::Option* add_count(CLI::App* command, const std::string& name, std::size_t& into,
                       const std::string& description) {
  return add_counted(command, name, into, fmt::format("{} (default {})", description, into), true);
}

CLI::Option* add_switch(CLI::App* command, const std::string& name, bool& into,
                        const std::string& description) {
  return command->add_flag(name, into, description)
      ->multi_option_policy(CLI::MultiOptionPolicy::Throw);
}

CLI::Option* add_choice(CLI::App* command, const std::string& name, std::string& into,
                        const std::vector<std::string>& choices, const std::string& description) {
  into = choices.front();
  return command->add_option(name, into, description)
      ->check(CLI::IsMember(choices).description(""))  // the type name lists them
      ->type_name(fmt::format("{}", fmt::join(choices, "|")))
      ->capture_default_str();
}

}  // namespace bylaw::cli
