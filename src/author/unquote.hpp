// Test files write a value bare or "quoted" (with \" and \\ inside); this is the value itself.
#pragma once

#include <string>

namespace bylaw::author {

inline std::string unquoted(const std::string& word) {
  if (word.size() < 2 || word.front() != '"' || word.back() != '"') return word;
  std::string out;
  for (std::size_t i = 1; i + 1 < word.size(); ++i) {
    if (word[i] == '\\' && i + 2 < word.size()) ++i;
    out += word[i];
  }
  return out;
}

}  // namespace bylaw::author
