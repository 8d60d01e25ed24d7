// Test files write a value bare or "quoted" (with \" and \\ inside), and lists as [a, b] or
// {a, b}: these read them back.
#pragma once

#include <string>
#include <vector>

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

// The items of a bracketed list (its first and last characters are the brackets), each
// unquoted; blanks around items and empty items are dropped.
inline std::vector<std::string> list_items(const std::string& value) {
  std::vector<std::string> items;
  std::string inner = value.substr(1, value.size() - 2);
  std::size_t begin = 0;
  while (begin < inner.size()) {
    std::size_t comma = inner.find(',', begin);
    if (comma == std::string::npos) comma = inner.size();
    std::string item = inner.substr(begin, comma - begin);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) items.push_back(unquoted(item));
    begin = comma + 1;
  }
  return items;
}

}  // namespace bylaw::author
