// Leases in a real JetStream key-value bucket (nats-server started here): workers are counted
// by their own keys while those are renewed, and no longer once they expire; a partition taken
// by one worker is not free to another until it is released; a worker that stops takes its key
// with it, and one killed is forgotten ten lease times after; without the bucket's stream the
// count is not made up.
#include "service/cluster_leases.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cluster_bucket.hpp"

using namespace bylaw;
using service::Leases;

namespace {

using namespace std::chrono_literals;

// A cluster's lease bucket on a server of the test's own.
struct Bucket : bylaw::testing::ClusterBucket {
  Bucket() : ClusterBucket(&service::ClusterNames::leases) {}
  Leases worker(const std::string& id, std::chrono::milliseconds lease_time = 10s) {
    return Leases(link.jetstream(), kv, id, lease_time, 4);
  }
  // The subjects of the workers' own keys in the bucket's stream, sorted.
  std::vector<std::string> worker_subjects() {
    jsOptions options;
    jsOptions_Init(&options);
    options.Stream.Info.SubjectsFilter = "$KV.test_leases.worker.>";
    jsStreamInfo* info = nullptr;
    REQUIRE(js_GetStreamInfo(&info, link.jetstream(), "KV_test_leases", &options, nullptr) ==
            NATS_OK);
    std::vector<std::string> subjects;
    if (const jsStreamStateSubjects* list = info->State.Subjects) {
      for (int i = 0; i < list->Count; ++i) subjects.emplace_back(list->List[i].Subject);
    }
    jsStreamInfo_Destroy(info);
    std::sort(subjects.begin(), subjects.end());
    return subjects;
  }
};

}  // namespace

TEST_CASE("Leases count the workers whose own keys are renewed", "[service][leases]") {
  Bucket bucket;
  Leases a = bucket.worker("a");
  // Before its first renewal a worker has no key, but counts itself.
  REQUIRE(a.live_workers() == std::optional<std::size_t>(1));
  a.renew();
  REQUIRE(a.live_workers() == std::optional<std::size_t>(1));

  Leases b = bucket.worker("b.host-12");  // dots in an id: a key of several tokens
  b.renew();
  REQUIRE(a.live_workers() == std::optional<std::size_t>(2));
  REQUIRE(b.live_workers() == std::optional<std::size_t>(2));
}

TEST_CASE("Leases stop counting a worker whose key expired", "[service][leases]") {
  Bucket bucket;
  Leases a = bucket.worker("a");
  Leases gone = bucket.worker("gone", 3s);  // time enough for a slow (sanitized) build
  a.renew();
  gone.renew();
  REQUIRE(a.live_workers() == std::optional<std::size_t>(2));
  std::this_thread::sleep_for(3500ms);  // `gone` renews no more
  REQUIRE(a.live_workers() == std::optional<std::size_t>(1));
}

TEST_CASE("Leases: a worker that stops takes its key with it", "[service][leases]") {
  Bucket bucket;
  Leases a = bucket.worker("a");
  Leases b = bucket.worker("b");
  a.renew();
  b.renew();
  REQUIRE(a.live_workers() == std::optional<std::size_t>(2));
  b.leave();
  REQUIRE(a.live_workers() == std::optional<std::size_t>(1));
  // No subject is left behind for the lease turns to list (a delete marker would be one).
  REQUIRE(bucket.worker_subjects() == std::vector<std::string>{"$KV.test_leases.worker.a"});
}

TEST_CASE("Leases forget a killed worker's key ten lease times after it expired",
          "[service][leases]") {
  Bucket bucket;
  Leases a = bucket.worker("a", 300ms);
  Leases killed = bucket.worker("killed", 300ms);
  a.renew();
  killed.renew();  // and never again, nor leave()
  std::this_thread::sleep_for(500ms);
  a.renew();
  REQUIRE(a.live_workers() == std::optional<std::size_t>(1));
  // Expired, not yet forgotten (that is 3 s after it expired).
  REQUIRE(bucket.worker_subjects() ==
          std::vector<std::string>{"$KV.test_leases.worker.a", "$KV.test_leases.worker.killed"});
  std::this_thread::sleep_for(3500ms);
  a.renew();
  REQUIRE(a.live_workers() == std::optional<std::size_t>(1));
  REQUIRE(bucket.worker_subjects() == std::vector<std::string>{"$KV.test_leases.worker.a"});
  // Back after all: it writes its key anew, and is counted.
  killed.renew();
  REQUIRE(a.live_workers() == std::optional<std::size_t>(2));
}

TEST_CASE("Leases hand a partition to one worker until it is released", "[service][leases]") {
  Bucket bucket;
  Leases a = bucket.worker("a");
  Leases b = bucket.worker("b");
  REQUIRE(a.claim(2) == std::vector<std::uint32_t>{0, 1});
  REQUIRE(b.claim(4) == std::vector<std::uint32_t>{2, 3});
  REQUIRE(a.renew().empty());
  a.release(1);
  REQUIRE(b.claim(4) == std::vector<std::uint32_t>{1});
}

TEST_CASE("Leases cannot count workers without JetStream, and say so", "[service][leases]") {
  Bucket bucket;
  Leases a = bucket.worker("a");
  a.renew();
  // A bucket whose stream is gone: the count is not made up.
  REQUIRE(js_DeleteStream(bucket.link.jetstream(), "KV_test_leases", nullptr, nullptr) == NATS_OK);
  REQUIRE_FALSE(a.live_workers().has_value());
}
