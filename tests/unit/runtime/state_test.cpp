#include <optional>
#include <random>
#include <set>
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
          std::int64_t lower = -1, Value value = Absent{},
          const std::string* left_out_by = nullptr) {
  WindowKey& keyed = window.slide(key, at(lower));
  AggregateEntry& entry = keyed.add();
  entry.id = key + "@" + std::to_string(seconds);
  entry.time = at(seconds);
  entry.value = std::move(value);
  entry.left_out_by = left_out_by;
  entry.reads.clear();
  keyed.added(window.counts_distinct());
}

// What a recount gives: the entries counted after `lower`, or the different values among them.
std::int64_t recount(const AggregateEntries& entries, Time lower, bool distinct = true) {
  std::set<std::string> values;
  std::int64_t counted = 0;
  for (const auto& entry : entries) {
    if (entry.left_out_by || entry.time <= lower) continue;
    values.insert(std::get<std::string>(entry.value));
    ++counted;
  }
  return distinct ? static_cast<std::int64_t>(values.size()) : counted;
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

TEST_CASE("a count distinct kept per value agrees with a recount as the window slides",
          "[runtime][state]") {
  AggregateWindow window;
  window.count_distinct();
  std::mt19937 random(5);
  const std::string reason = "left out";
  std::int64_t kept_answers = 0;
  for (std::int64_t t = 1; t <= 20'000; ++t) {
    // Bursts that fill the window past WindowKey::kCountsFrom, then gaps that empty it.
    std::int64_t width = (t / 2000) % 2 == 0 ? 400 : 20;
    std::int64_t lower = t - width;
    Value value = std::string("c-") + std::to_string(random() % 60);
    push(window, "k", t, lower, value, random() % 7 == 0 ? &reason : nullptr);
    WindowKey& keyed = window.slide("k", at(lower));
    if (random() % 50 == 0 && keyed.entries().size() > 1) keyed.drop_oldest();  // the cap
    std::optional<std::int64_t> kept = keyed.count_after(at(lower), true);
    if (keyed.entries().size() >= WindowKey::kCountsFrom) REQUIRE(kept.has_value());
    if (kept) {
      ++kept_answers;
      REQUIRE(*kept == recount(keyed.entries(), at(lower)));
    }
    REQUIRE(keyed.count_after(at(lower), false) == recount(keyed.entries(), at(lower), false));
  }
  CHECK(kept_answers > 5'000);
}

TEST_CASE("a count distinct is recounted once an entry arrives out of time order",
          "[runtime][state]") {
  AggregateWindow window;
  window.count_distinct();
  for (std::int64_t t = 100; t < 140; ++t)
    push(window, "k", t, 0, std::string("v") + std::to_string(t % 3));
  CHECK(window.slide("k", at(0)).count_after(at(0), true) == 3);
  push(window, "k", 50, 0, std::string("late"));  // a timer due before the clock
  CHECK_FALSE(window.slide("k", at(0)).count_after(at(0), true).has_value());
  // Once the window empties, the order starts again.
  push(window, "k", 1000, 999, std::string("v"));
  WindowKey& keyed = window.slide("k", at(999));
  CHECK(keyed.entries().size() == 1);
  CHECK_FALSE(keyed.count_after(at(999), true).has_value());  // few entries: recounted
}

TEST_CASE("a restored window keeps its counts per value", "[runtime][state]") {
  AggregateWindow window;
  window.count_distinct();
  for (std::int64_t t = 1; t <= 100; ++t)
    push(window, "k", t, 0, std::string("v") + std::to_string(t % 7));
  std::string saved;
  window.save(saved);
  AggregateWindow restored;
  restored.count_distinct();
  ByteReader in(saved, "window");
  AggregateWindow::restore(in, &restored, [](std::string_view) { return nullptr; });
  CHECK(restored.slide("k", at(0)).count_after(at(0), true) == 7);
  CHECK(restored.slide("k", at(95)).count_after(at(95), true) == 5);
}
