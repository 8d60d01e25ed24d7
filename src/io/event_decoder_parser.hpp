// What EventDecoder keeps from line to line, and what its two readers of a parsed line share:
// the reference reader, which looks members up by name in the contract's order of checks
// (event_decoder.cpp), and the one-pass reader (event_decoder_one_pass.cpp). Internal to io.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "bylaw/check/schema.hpp"
#include "bylaw/io/event_decoder.hpp"

namespace bylaw::io {

struct EventDecoder::Parser {
  simdjson::dom::parser parser;
  std::vector<char> buffer;                 // the line, copied, with simdjson's padding after it
  simdjson::dom::element document;          // the last line's
  std::vector<std::string> spare_strings;   // set items no record needs at the moment
  std::vector<unsigned char> fields_found;  // the one-pass reader's, by field
};

// Writes one field into its slot; false when the value does not fit its declared type.
bool read_field(simdjson::dom::element value, const check::FieldDef& field, Value& slot,
                std::vector<std::string>& spare_strings);

}  // namespace bylaw::io
