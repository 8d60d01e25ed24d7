// UTF-8, decoded in one place: validating event text and escaping JSON output share it.
#pragma once

#include <cstddef>

namespace bylaw::io {

// The length of the valid UTF-8 sequence at `s` (of `left` bytes), or 0: not UTF-8 (a bad lead
// or continuation byte, a sequence cut short, an overlong form, a surrogate, past U+10FFFF).
std::size_t utf8_sequence_length(const unsigned char* s, std::size_t left);

}  // namespace bylaw::io
