// The watch on a worker's loop: a loop that stays at one place past the limit is reported once,
// by name, and again when it moves on; a loop that keeps coming round is never reported.
#include "service/loop_watch.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

using bylaw::service::LoopWatch;
using namespace std::chrono_literals;

namespace {

// What a watch said, from its thread.
struct Said {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mutex);
      lines.push_back(line);
    };
  }
  std::vector<std::string> all() {
    std::lock_guard lock(mutex);
    return lines;
  }
  // The lines once there are `n` (a loaded machine runs the watch's thread late), or in 10 s.
  std::vector<std::string> when(std::size_t n) {
    for (int i = 0; i < 1000 && all().size() < n; ++i) std::this_thread::sleep_for(10ms);
    return all();
  }
};

// The seconds a report names.
double seconds_in(const std::string& line) {
  std::size_t end = line.rfind(" s");
  std::size_t start = line.rfind(' ', end - 1) + 1;
  return std::stod(line.substr(start, end - start));
}

}  // namespace

TEST_CASE("A loop that stays at one place is reported once, and when it goes on",
          "[service][threads]") {
  Said said;
  LoopWatch watch(said.sink(), 100ms);
  watch.at("a lease turn");
  std::vector<std::string> lines = said.when(1);
  REQUIRE(!lines.empty());
  REQUIRE_THAT(lines[0], Catch::StartsWith("the loop has been at a lease turn for "));
  REQUIRE(seconds_in(lines[0]) >= 0.1);
  std::this_thread::sleep_for(300ms);
  REQUIRE(said.all().size() == 1);  // told once, however long it stays
  watch.at("reading its partitions");
  lines = said.when(2);
  REQUIRE(lines.size() >= 2);
  REQUIRE_THAT(lines[1], Catch::StartsWith("the loop goes on, after "));
  REQUIRE_THAT(lines[1], Catch::EndsWith(" s at a lease turn"));
  REQUIRE(seconds_in(lines[1]) >= 0.4);
}

TEST_CASE("A loop that keeps coming round is not reported", "[service][threads]") {
  Said said;
  {
    LoopWatch watch(said.sink(), 1s);
    for (int i = 0; i < 40; ++i) {
      watch.at(i % 2 ? "a checkpoint" : "a pause");
      std::this_thread::sleep_for(10ms);
    }
  }
  REQUIRE(said.all().empty());
}
