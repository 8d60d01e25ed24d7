// Decodes one CloudEvents JSON line into a typed event, validated against the schema.
// The checks run in the contract's order: envelope, duplicate, undeclared type, data.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/check/schema.hpp"
#include "bylaw/runtime/event.hpp"

namespace bylaw::io {

enum class LineOutcome { event, duplicate, skipped, rejected };

struct DecodedLine {
  LineOutcome outcome = LineOutcome::rejected;
  runtime::EventPtr event;  // outcome == event
  std::string id;           // the envelope id, once known
  int type = -1;            // the envelope type's schema index, once known (-1: undeclared)
  Time time;                // the envelope time, once known
  std::string reason;       // rejected: the reason code (invalid_json, missing_field:amount, ...)
  std::string detail;       // rejected: a human explanation
  // Decoded ahead (decode_ahead), without the duplicate check, which is still to be made: the
  // envelope was valid, so a used id makes it a duplicate whatever the data held.
  bool duplicate_unchecked = false;
};

// Parses with simdjson's validating DOM parser, reused from line to line.
class EventDecoder {
 public:
  // `ahead`: the decoder runs on a thread of its own (decode_ahead), and the events it makes are
  // released on another.
  explicit EventDecoder(const check::Schema& schema, bool ahead = false);
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // `is_duplicate(id)` tells whether an id is already used up.
  template <class IsDuplicate>
  DecodedLine decode(std::string_view line, std::uint64_t line_number, std::uint64_t sequence,
                     const IsDuplicate& is_duplicate) {
    DecodedLine out = decode_envelope(line);
    if (out.outcome != LineOutcome::event) return out;
    if (is_duplicate(out.id)) {
      out.outcome = LineOutcome::duplicate;
      return out;
    }
    return decode_data(std::move(out), line_number, sequence);
  }

  // The whole line, with the duplicate check left to the caller, which may be evaluating earlier
  // lines meanwhile: the outcome is then what decode() gives when the id is not used.
  DecodedLine decode_ahead(std::string_view line, std::uint64_t line_number,
                           std::uint64_t sequence) {
    DecodedLine out = decode_envelope(line);
    if (out.outcome != LineOutcome::event) return out;
    out = decode_data(std::move(out), line_number, sequence);
    out.duplicate_unchecked = true;
    return out;
  }

 private:
  struct Parser;
  // The envelope, up to the duplicate check: outcome `event` means "go on".
  DecodedLine decode_envelope(std::string_view line);
  // Undeclared type, then data against the schema, for the line decode_envelope last parsed.
  DecodedLine decode_data(DecodedLine line, std::uint64_t line_number, std::uint64_t sequence);

  const check::Schema& schema_;
  std::unique_ptr<Parser> parser_;
  std::vector<runtime::EventPool> pools_;  // by event type
};

// Whether `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

}  // namespace bylaw::io
