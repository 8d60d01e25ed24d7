// Encoding behind evaluation (run --threads 3): every decision handed over reaches the encoder,
// in order, on the encoder's thread; a failing encoder's error comes back to the evaluating
// thread; a slow encoder holds the evaluating thread back after a bounded number of batches; a
// run that fails midway stops the thread without waiting for what was left.
#include "io/encode_behind.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using bylaw::io::EncodeBehind;
using bylaw::runtime::Decision;
using bylaw::runtime::DecisionSink;
using namespace std::chrono_literals;

namespace {

Decision numbered(int i) {
  Decision d;
  d.id = "d" + std::to_string(i);
  d.explanation.summary = std::string(200, 'x');  // something to move
  return d;
}

// Records what it gets, and on which thread.
class Recording : public DecisionSink {
 public:
  void on_decision(const Decision& decision) override {
    if (decision.id == fail_at) throw std::runtime_error("the disk is full");
    ids.push_back(decision.id);
    threads.push_back(std::this_thread::get_id());
    ++seen;
  }
  std::vector<std::string> ids;
  std::vector<std::thread::id> threads;
  std::string fail_at;
  std::atomic<int> seen{0};
};

// Lets nothing through until opened, then counts.
class Gate : public DecisionSink {
 public:
  void on_decision(const Decision&) override {
    std::unique_lock lock(mutex_);
    waiting_ = true;
    opened_.notify_all();
    opened_.wait(lock, [this] { return open_; });
    ++passed;
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }
  // Until the encoding thread is at the gate with its first decision.
  void wait_for_arrival() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return waiting_; });
  }
  std::atomic<int> passed{0};

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
  bool waiting_ = false;
};

}  // namespace

TEST_CASE("Decisions encoded behind reach the encoder whole and in order, on its thread",
          "[io][threads]") {
  Recording encoder;
  EncodeBehind behind(encoder);
  for (int i = 0; i < 5000; ++i) {
    Decision d = numbered(i);
    if (i % 2) {
      behind.take_decision(std::move(d));
    } else {
      behind.on_decision(d);  // a copy, for a caller that keeps its own
    }
  }
  behind.finish();
  REQUIRE(encoder.ids.size() == 5000);
  for (int i = 0; i < 5000; ++i) REQUIRE(encoder.ids[i] == "d" + std::to_string(i));
  for (const auto& id : encoder.threads) REQUIRE(id != std::this_thread::get_id());
}

TEST_CASE("An encoder's failure comes back to the evaluating thread", "[io][threads]") {
  Recording encoder;
  encoder.fail_at = "d100";
  EncodeBehind behind(encoder);
  auto hand_all = [&] {
    for (int i = 0; i < 5000; ++i) behind.take_decision(numbered(i));
    behind.finish();
  };
  REQUIRE_THROWS_WITH(hand_all(), "the disk is full");
  REQUIRE(encoder.ids.size() == 100);  // none after the one that failed
}

TEST_CASE("A slow encoder holds the evaluating thread back", "[io][threads]") {
  Gate gate;
  EncodeBehind behind(gate);
  std::atomic<int> handed{0};
  std::thread evaluating([&] {
    for (int i = 0; i < 10000; ++i) {
      behind.take_decision(numbered(i));
      ++handed;
    }
    behind.finish();
  });
  gate.wait_for_arrival();
  std::this_thread::sleep_for(200ms);
  int stalled_at = handed;
  gate.open();  // before any check: a failed one must not leave the thread running
  evaluating.join();
  CHECK(stalled_at < 10000);
  CHECK(stalled_at <= 64 * 18);  // the batches in flight, the one filling, the one encoding
  REQUIRE(handed == 10000);
}

TEST_CASE("A run that fails midway stops the encoding thread after the batch under way",
          "[io][threads]") {
  Gate gate;
  std::thread opener;
  {
    EncodeBehind behind(gate);
    for (int i = 0; i < 640; ++i) behind.take_decision(numbered(i));  // ten batches
    gate.wait_for_arrival();  // the thread is inside a batch, at the gate
    opener = std::thread([&] {
      std::this_thread::sleep_for(100ms);
      gate.open();
    });
  }  // no finish(): the run failed
  opener.join();
  // Whole batches only, and not all ten (one, unless the destructor came late).
  REQUIRE(gate.passed % 64 == 0);
  REQUIRE(gate.passed < 640);
}
