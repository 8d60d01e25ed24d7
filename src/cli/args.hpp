// A small command-line option reader: `--name value`, `--name=value`, flags and positionals.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace bylaw::cli {

class Args {
 public:
  // `with_value` lists the options that take a value; `flags` those that do not.
  Args(std::vector<std::string> argv, std::set<std::string> with_value,
       std::set<std::string> flags);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::optional<std::string> value(const std::string& name) const;
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
  std::string error_;
};

// A whole number written in decimal digits only (no sign, no blanks), or nothing.
std::optional<std::uint64_t> parse_count(const std::string& text);

}  // namespace bylaw::cli
