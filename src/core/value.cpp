#include "bylaw/core/value.hpp"

#include <algorithm>

namespace bylaw {

bool StringSet::contains(const std::string& item) const {
  return std::binary_search(items.begin(), items.end(), item);
}

StringSet StringSet::from(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return StringSet{std::move(items)};
}

}  // namespace bylaw
