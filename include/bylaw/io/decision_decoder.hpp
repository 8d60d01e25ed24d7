// Reads back what decision_encoder.hpp writes: a decision line (from a stream or the audit store)
// into a runtime::Decision with its full trace, and a stored policy's source texts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/runtime/decision.hpp"

namespace bylaw::io {

std::optional<runtime::Decision> decode_decision(std::string_view json, std::string& error);

struct StoredPolicy {
  std::string name;
  std::string version;
  std::string hash;
  std::vector<std::pair<std::string, std::string>> files;  // path, text

  // The text of the file at `path`, or null.
  const std::string* file(const std::string& path) const;
};

std::optional<StoredPolicy> decode_policy(std::string_view json, std::string& error);

}  // namespace bylaw::io
