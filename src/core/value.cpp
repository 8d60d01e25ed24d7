#include "bylaw/core/value.hpp"

#include <algorithm>

namespace bylaw {

bool StringSet::contains(const std::string& item) const {
  return std::binary_search(items.begin(), items.end(), item);
}

void StringSet::normalise() {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
}

StringSet StringSet::from(std::vector<std::string> items) {
  StringSet set{std::move(items)};
  set.normalise();
  return set;
}

}  // namespace bylaw
