// The decisions publisher against a real nats-server (started here on a free loopback port in a
// temporary folder, stopped at the end of each test): a message that names a predecessor is
// stored only right after it, and a batch chains its messages stream by stream, so decisions
// split over several streams are all stored, in order, and once.
#include "service/nats_publisher.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "bylaw/core/stop_flag.hpp"
#include "bylaw/io/durable_run.hpp"
#include "nats_server.hpp"

using namespace bylaw;
using bylaw::testing::NatsServer;

namespace {

void add_stream(service::NatsLink& link, const char* name, std::vector<const char*> subjects) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name;
  config.Subjects = subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  REQUIRE(js_AddStream(&info, link.jetstream(), &config, nullptr, &code) == NATS_OK);
  jsStreamInfo_Destroy(info);
}

// The value of `header` on every message in `stream`, in stream order ("" where it has none).
std::vector<std::string> header_in(service::NatsLink& link, const char* stream,
                                   const char* header) {
  std::vector<std::string> values;
  for (std::uint64_t seq = 1;; ++seq) {
    natsMsg* msg = nullptr;
    jsErrCode code{};
    if (js_GetMsg(&msg, link.jetstream(), stream, seq, nullptr, &code) != NATS_OK) break;
    const char* value = nullptr;
    values.emplace_back(natsMsgHeader_Get(msg, header, &value) == NATS_OK ? value : "");
    natsMsg_Destroy(msg);
  }
  return values;
}

std::vector<std::string> ids_in(service::NatsLink& link, const char* stream) {
  return header_in(link, stream, "Nats-Msg-Id");
}

// The predecessor each message in `stream` named when it was stored.
std::vector<std::string> expected_in(service::NatsLink& link, const char* stream) {
  return header_in(link, stream, "Nats-Expected-Last-Msg-Id");
}

// Publishes a batch through `publisher`, giving up (DeliveryStopped) after 20 seconds instead of
// retrying for ever.
void append_within_time(service::NatsPublisher& publisher, StopFlag& stop,
                        const std::string& batch) {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mutex);
    if (!done_cv.wait_for(lock, std::chrono::seconds(20), [&] { return done; })) stop = 1;
  });
  auto finish = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      done = true;
    }
    done_cv.notify_one();
    watchdog.join();
  };
  try {
    publisher.append(batch);
  } catch (...) {
    finish();
    throw;
  }
  finish();
}

}  // namespace

TEST_CASE("a message that names its predecessor is stored only right after it", "[service][nats]") {
  NatsServer server;
  service::NatsLink link(server.url());
  add_stream(link, "T", {"t.>"});

  REQUIRE(link.publish_async("t.x", "b", "B", "a") == NATS_OK);
  CHECK_FALSE(link.all_acked(5000));  // the stream is empty: "a" is not its last
  CHECK(ids_in(link, "T").empty());

  REQUIRE(link.publish_async("t.x", "a", "A") == NATS_OK);
  REQUIRE(link.publish_async("t.x", "b", "B", "a") == NATS_OK);
  CHECK(link.all_acked(5000));
  REQUIRE(link.publish_async("t.x", "c", "C", "a") == NATS_OK);
  CHECK_FALSE(link.all_acked(5000));  // "b" came after "a"
  // A message already stored is a duplicate, whatever it names: publishing again is harmless.
  REQUIRE(link.publish_async("t.x", "b", "B", "x") == NATS_OK);
  CHECK(link.all_acked(5000));
  CHECK(ids_in(link, "T") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a batch of decisions over two streams is stored in order in each and once",
          "[service][nats]") {
  NatsServer server;
  service::NatsLink link(server.url());
  add_stream(link, "HOLDS", {"bylaw.decisions.hold"});
  add_stream(link, "OTHERS",
             {"bylaw.decisions.alert", "bylaw.decisions.release", "bylaw.decisions.eligibility"});
  StopFlag stop{0};
  service::NatsPublisher publisher(link, service::NatsPublisher::Kind::kDecisions,
                                   "bylaw.decisions", &stop,
                                   service::NatsPublisher::Writers::alone);
  std::string batch =
      "{\"kind\":\"hold\",\"id\":\"d1\"}\n{\"kind\":\"alert\",\"id\":\"d2\"}\n"
      "{\"kind\":\"hold\",\"id\":\"d3\"}\n{\"kind\":\"release\",\"id\":\"d4\"}\n";
  // A chain across the streams would name d1 as d2's predecessor in OTHERS and never be stored.
  REQUIRE_NOTHROW(append_within_time(publisher, stop, batch));
  CHECK(ids_in(link, "HOLDS") == std::vector<std::string>{"d1", "d3"});
  CHECK(ids_in(link, "OTHERS") == std::vector<std::string>{"d2", "d4"});
  // Each but the first of its stream named its predecessor there.
  CHECK(expected_in(link, "HOLDS") == std::vector<std::string>{"", "d1"});
  CHECK(expected_in(link, "OTHERS") == std::vector<std::string>{"", "d2"});

  // The same batch again (a restart before its checkpoint was marked delivered), then the next.
  REQUIRE_NOTHROW(append_within_time(publisher, stop, batch));
  REQUIRE_NOTHROW(append_within_time(publisher, stop, "{\"kind\":\"alert\",\"id\":\"d5\"}\n"));
  CHECK(ids_in(link, "HOLDS") == std::vector<std::string>{"d1", "d3"});
  CHECK(ids_in(link, "OTHERS") == std::vector<std::string>{"d2", "d4", "d5"});
}
