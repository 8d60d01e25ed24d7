// Decodes one CloudEvents JSON line into a typed event, validated against the schema.
// The checks run in the contract's order: envelope, duplicate, undeclared type, data.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bylaw/check/schema.hpp"
#include "bylaw/runtime/event.hpp"

namespace bylaw::io {

enum class LineOutcome { event, duplicate, skipped, rejected };

struct DecodedLine {
  LineOutcome outcome = LineOutcome::rejected;
  runtime::EventPtr event;  // outcome == event
  std::string id;           // the envelope id, once known
  std::string type;         // the envelope type, once known
  std::string reason;       // rejected: the reason code (invalid_json, missing_field:amount, ...)
  std::string detail;       // rejected: a human explanation
};

class EventDecoder {
 public:
  explicit EventDecoder(const check::Schema& schema);
  ~EventDecoder();

  // `is_duplicate` tells whether an id is already used up.
  DecodedLine decode(std::string_view line, std::uint64_t line_number, std::uint64_t sequence,
                     const std::function<bool(const std::string&)>& is_duplicate) const;

 private:
  const check::Schema& schema_;
};

// Whether `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

}  // namespace bylaw::io
