// The language's words and name characters: one table for the parser and for the tools that
// read source without parsing it (`bylaw fmt`).
#pragma once

#include <array>
#include <cctype>
#include <cstddef>
#include <string_view>

namespace bylaw::syntax {

struct Keyword {
  std::string_view word;
  // Reserved words are never names; the others are keywords only where the grammar expects
  // them (a field may be called `scope`).
  bool reserved;
};

// Every word the grammar gives a meaning to. None is a function's name. The parser's keyword
// parsers are checked against this table when they are compiled (grammar.cpp).
inline constexpr std::array kKeywords = {
    Keyword{"and", true},          Keyword{"or", true},        Keyword{"not", true},
    Keyword{"in", true},           Keyword{"has", true},       Keyword{"any", true},
    Keyword{"all", true},          Keyword{"is", true},        Keyword{"absent", true},
    Keyword{"present", true},      Keyword{"true", true},      Keyword{"false", true},
    Keyword{"latest", true},       Keyword{"earlier", true},   Keyword{"let", true},
    Keyword{"where", true},        Keyword{"exclude", true},   Keyword{"when", true},
    Keyword{"then", true},         Keyword{"count", true},     Keyword{"sum", true},
    Keyword{"distinct", true},     Keyword{"per", true},       Keyword{"over", true},
    Keyword{"after", true},        Keyword{"as", true},        Keyword{"on", true},
    Keyword{"say", true},          Keyword{"until", true},     Keyword{"within", true},
    Keyword{"timer", false},       Keyword{"rule", false},     Keyword{"event", false},
    Keyword{"param", false},       Keyword{"use", false},      Keyword{"policy", false},
    Keyword{"version", false},     Keyword{"set", false},      Keyword{"mode", false},
    Keyword{"hold", false},        Keyword{"release", false},  Keyword{"alert", false},
    Keyword{"eligibility", false}, Keyword{"postpone", false}, Keyword{"scope", false},
    Keyword{"appeal", false},      Keyword{"severity", false}, Keyword{"evidence", false},
    Keyword{"deny", false},        Keyword{"allow", false},    Keyword{"first", false},
    Keyword{"of", false},          Keyword{"private", false},  Keyword{"display", false},
    Keyword{"appealable", false},  Keyword{"expires", false},  Keyword{"shown", false},
    Keyword{"to", false},          Keyword{"account", false},  Keyword{"def", false},
    Keyword{"schedule", false},    Keyword{"cancel", false},   Keyword{"at", false},
    Keyword{"decision", false},
};

// Index loops, not iterators or pointers: GCC's UBSan checks make pointer comparisons
// non-constant, and the keyword parsers call these at compile time.
constexpr bool is_keyword(std::string_view word) {
  for (std::size_t i = 0; i < kKeywords.size(); ++i) {
    if (kKeywords[i].word == word) return true;
  }
  return false;
}

constexpr bool is_reserved(std::string_view word) {
  for (std::size_t i = 0; i < kKeywords.size(); ++i) {
    if (kKeywords[i].word == word) return kKeywords[i].reserved;
  }
  return false;
}

inline bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

inline bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace bylaw::syntax
