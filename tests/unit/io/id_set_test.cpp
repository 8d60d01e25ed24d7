#include <string>
#include <unordered_set>

#include <catch2/catch.hpp>

#include "bylaw/io/internal/id_set.hpp"

using bylaw::io::IdSet;

TEST_CASE("the id set remembers what was inserted and nothing else", "[io][ids]") {
  IdSet ids;
  CHECK_FALSE(ids.contains("e-1"));
  ids.insert("e-1", bylaw::Time{0});
  ids.insert("e-1", bylaw::Time{0});
  CHECK(ids.contains("e-1"));
  CHECK_FALSE(ids.contains("e-10"));
  CHECK_FALSE(ids.contains("e-"));
  CHECK(ids.size() == 1);
}

TEST_CASE("the id set agrees with a std::unordered_set across many growths", "[io][ids]") {
  IdSet ids;
  std::unordered_set<std::string> reference;
  for (int i = 0; i < 200000; ++i) {
    std::string id = "id-" + std::to_string(i * 7919 % 150000);  // many repeats
    CHECK(ids.contains(id) == (reference.count(id) > 0));
    ids.insert(id, bylaw::Time{0});
    reference.insert(id);
  }
  CHECK(ids.size() == reference.size());
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(ids.contains("other-" + std::to_string(i)));
  // A long id and one that is a prefix of another.
  std::string long_id(100000, 'x');
  ids.insert(long_id, bylaw::Time{0});
  CHECK(ids.contains(long_id));
  CHECK_FALSE(ids.contains(long_id.substr(1)));
}
