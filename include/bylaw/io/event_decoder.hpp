// Decodes one CloudEvents JSON line into a typed event, validated against the schema.
// The outcome is the contract's order of checks: envelope, duplicate, undeclared type, data (the
// one-pass reader reads the data before the duplicate check, and only takes lines whose every
// check passes, so which check fails first is still decided in that order).
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

// How a parsed line is read.
//   one_pass: one walk over the envelope and one over the data, each member matched to what
//     takes it (the first of a key given twice, as a lookup by name finds). A line it does not
//     take whole, as an event or as skipped, goes to the reference reader, which alone decides
//     rejects and their reasons, so the two give the same outcome for every line.
//   reference: members looked up by name, in the contract's order of checks (slower: each
//     lookup walks the object). What tests hold the one-pass reader to.
enum class DecodePath { one_pass, reference };

// simdjson's DOM parser, which validates the whole line, reused from line to line.
class EventDecoder {
 public:
  // `ahead`: the decoder runs on a thread of its own (decode_ahead), and the events it makes are
  // released on another.
  explicit EventDecoder(const check::Schema& schema, bool ahead = false,
                        DecodePath path = DecodePath::one_pass);
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // `is_duplicate(id)` tells whether an id is already used up.
  template <class IsDuplicate>
  DecodedLine decode(std::string_view line, std::uint64_t line_number, std::uint64_t sequence,
                     const IsDuplicate& is_duplicate) {
    DecodedLine out;
    if (!parse(line, out)) return out;
    if (decode_one_pass(line_number, sequence, out)) {
      if (is_duplicate(out.id)) {
        out.outcome = LineOutcome::duplicate;
        out.event.reset();
      }
      return out;
    }
    out = decode_envelope();
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
    DecodedLine out;
    if (!parse(line, out)) return out;
    if (!decode_one_pass(line_number, sequence, out)) {
      out = decode_envelope();
      if (out.outcome != LineOutcome::event) return out;
      out = decode_data(std::move(out), line_number, sequence);
    }
    out.duplicate_unchecked = true;
    return out;
  }

 private:
  struct Parser;
  // Parses a padded copy of the line; false when it is not JSON, with `out` rejected.
  bool parse(std::string_view line, DecodedLine& out);
  // The one-pass reader over the parsed line: true when it took the line whole, as an event (in
  // `out.event`) or skipped (undeclared or raised type), with the duplicate check still to make;
  // false leaves the line to the reference reader, and `out` half filled, for the caller to
  // overwrite. With DecodePath::reference, always false.
  bool decode_one_pass(std::uint64_t line_number, std::uint64_t sequence, DecodedLine& out);
  // The reference reader's envelope, up to the duplicate check: outcome `event` means "go on".
  DecodedLine decode_envelope();
  // Undeclared type, then data against the schema, for the line parse() last parsed.
  DecodedLine decode_data(DecodedLine line, std::uint64_t line_number, std::uint64_t sequence);

  const check::Schema& schema_;
  DecodePath path_;
  std::unique_ptr<Parser> parser_;
  std::vector<runtime::EventPool> pools_;  // by event type
};

// Whether `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

}  // namespace bylaw::io
