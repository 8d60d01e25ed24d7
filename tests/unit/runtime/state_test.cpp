#include <string>

#include <catch2/catch.hpp>

#include "runtime/state.hpp"

using namespace bylaw;
using namespace bylaw::runtime;

TEST_CASE("text keys alike whether it comes as a value or as a view", "[runtime][state]") {
  std::string from_value;
  append_key(from_value, Value(std::string("k-1")));
  append_key(from_value, Value(std::int64_t{7}));
  std::string from_view;
  append_key(from_view, std::string_view("k-1"));
  append_key(from_view, Value(std::int64_t{7}));
  CHECK(from_value == from_view);
  // ...and stays unambiguous: a string that spells a number is not that number.
  std::string number;
  append_key(number, Value(std::int64_t{1}));
  std::string text;
  append_key(text, std::string_view("1"));
  CHECK(number != text);
}

TEST_CASE("a correlation index keeps the latest event per key", "[runtime][state]") {
  CorrelationIndex index;
  Event first;
  first.id = "e-1";
  Event second;
  second.id = "e-2";
  std::string key;
  append_key(key, std::string_view("a-key-longer-than-fifteen-chars"));
  second.fields = {std::string("k-7"), std::int64_t{40}};
  index.put(key, first);
  index.put(key, second);
  second.id = "changed after put";  // the index keeps its own copy
  UnpackedEvent found;
  const Event* latest = index.find(key, found);
  REQUIRE(latest != nullptr);
  CHECK(latest == &found.event);
  CHECK(latest->id == "e-2");
  CHECK(latest->fields == std::vector<Value>{std::string("k-7"), std::int64_t{40}});
  CHECK(index.size() == 1);
  CHECK(index.find("other", found) == nullptr);
}
