#include <deque>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/ring.hpp"

using bylaw::runtime::Ring;

namespace {

std::vector<std::string> contents(const Ring<std::string>& ring) {
  return {ring.begin(), ring.end()};
}

}  // namespace

TEST_CASE("a ring keeps first-in first-out order through wrap-around and growth",
          "[runtime][ring]") {
  Ring<std::string> ring;
  std::deque<std::string> reference;
  // Pushes outpace pops, so the ring both wraps (head moves) and grows (it doubles) many times.
  for (int i = 0; i < 1000; ++i) {
    ring.push_back() = "v" + std::to_string(i);
    reference.push_back("v" + std::to_string(i));
    if (i % 3 == 0) {
      ring.pop_front();
      reference.pop_front();
    }
    REQUIRE(ring.size() == reference.size());
    if (reference.empty()) continue;
    REQUIRE(ring.front() == reference.front());
    REQUIRE(ring.back() == reference.back());
  }
  CHECK(contents(ring) == std::vector<std::string>(reference.begin(), reference.end()));
  while (!ring.empty()) {
    CHECK(ring.front() == reference.front());
    ring.pop_front();
    reference.pop_front();
  }
  CHECK(reference.empty());
}

TEST_CASE("a popped slot keeps its object for the next push to overwrite", "[runtime][ring]") {
  Ring<std::string> ring;
  std::string long_text(100, 'x');
  for (int i = 0; i < 4; ++i) ring.push_back() = long_text;
  for (int i = 0; i < 4; ++i) ring.pop_front();
  // The ring holds four slots: the next push lands on the first one, still holding its text.
  std::string& slot = ring.push_back();
  CHECK(slot == long_text);
  CHECK(slot.capacity() >= 100);
  CHECK(ring.size() == 1);
}
