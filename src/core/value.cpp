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

void resize_keeping_buffers(std::vector<std::string>& items, std::size_t n,
                            std::vector<std::string>& spare) {
  while (items.size() > n) {
    spare.push_back(std::move(items.back()));
    items.pop_back();
  }
  while (items.size() < n) {
    if (spare.empty()) {
      items.emplace_back();
    } else {
      items.push_back(std::move(spare.back()));
      spare.pop_back();
    }
  }
}

StringSet StringSet::from(std::vector<std::string> items) {
  StringSet set{std::move(items)};
  set.normalise();
  return set;
}

}  // namespace bylaw
