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

namespace {

Time at(std::int64_t seconds) {
  return Time{seconds * 1'000'000};
}

void push(AggregateWindow& window, const std::string& key, std::int64_t seconds,
          std::int64_t lower = -1) {
  AggregateEntry& entry = window.slide(key, at(lower)).push_back();
  entry.id = key + "@" + std::to_string(seconds);
  entry.time = at(seconds);
  entry.value = Absent{};
  entry.left_out_by = nullptr;
  entry.reads.clear();
}

}  // namespace

TEST_CASE("a window's sweep drops the keys whose entries all expired, oldest first",
          "[runtime][state]") {
  AggregateWindow window;
  push(window, "a", 10);
  push(window, "b", 20);
  push(window, "c", 30);
  push(window, "a", 40);  // a is now the newest: its entry at 10 stays until a's next slide
  window.sweep(at(25));   // b's every entry is at or before 25; c's is not, so the sweep stops
  CHECK(window.find("b") == nullptr);
  REQUIRE(window.find("a") != nullptr);
  CHECK(window.find("a")->size() == 2);
  CHECK(window.keys() == 2);
  push(window, "a", 50, 25);  // a slide drops what is out of the window
  CHECK(window.find("a")->size() == 2);
  CHECK(window.find("a")->front().time == at(40));
  window.sweep(at(60));
  CHECK(window.keys() == 0);
  CHECK(window.entries() == 0);

  // The order survives a checkpoint: a restored window sweeps as the unbroken one.
  push(window, "x", 100);
  push(window, "y", 200);
  push(window, "x", 300);
  std::string saved;
  window.save(saved);
  AggregateWindow restored;
  ByteReader in(saved, "window");
  AggregateWindow::restore(in, &restored, [](std::string_view) { return nullptr; });
  restored.sweep(at(250));
  CHECK(restored.find("y") == nullptr);
  REQUIRE(restored.find("x") != nullptr);
  CHECK(restored.find("x")->size() == 2);
}

TEST_CASE("a window's sweep keeps a key with an entry in the window, added out of time order",
          "[runtime][state]") {
  // A timer due before the clock (a `postpone ... until` in the past) triggers a rule at that
  // time: its entry goes behind a later one under the same key.
  AggregateWindow window;
  push(window, "a", 100);
  push(window, "a", 90);
  window.sweep(at(95));
  REQUIRE(window.find("a") != nullptr);  // the entry at 100 is still in the window
  CHECK(window.find("a")->size() == 2);
  window.sweep(at(100));
  CHECK(window.find("a") == nullptr);
}
