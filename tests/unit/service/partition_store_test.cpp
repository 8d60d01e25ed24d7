// Partition checkpoints in a real JetStream key-value bucket (nats-server started here): a
// checkpoint of several chunks comes back whole and replaces the last one's chunks, leaving no
// trace of them; a damaged or incomplete one is an error, not a start from scratch; a worker that
// saves from a revision another worker has moved past has lost the partition and leaves its
// checkpoint alone; a save whose outcome cannot be told yet keeps its chunks, in case it lands.
#include "service/partition_store.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "bylaw/core/bytes.hpp"
#include "bylaw/core/sha256.hpp"
#include "cluster_bucket.hpp"

using namespace bylaw;
using service::PartitionCheckpoint;
using service::PartitionStore;

namespace {

// A cluster's checkpoint bucket on a server of the test's own.
struct Bucket : bylaw::testing::ClusterBucket {
  Bucket() : ClusterBucket(&service::ClusterNames::checkpoints) {}
  // A worker's view of the bucket.
  PartitionStore store() { return PartitionStore(kv, link.jetstream()); }
  // Whether the bucket's stream holds anything under `key`: a value, or a delete marker.
  bool holds_anything(const std::string& key) {
    natsMsg* msg = nullptr;
    jsErrCode code{};
    std::string subject = "$KV.test_checkpoints." + key;
    natsStatus s = js_GetLastMsg(&msg, link.jetstream(), "KV_test_checkpoints", subject.c_str(),
                                 nullptr, &code);
    natsMsg_Destroy(msg);
    return s == NATS_OK;
  }
  bool has(const std::string& key) {
    kvEntry* entry = nullptr;
    natsStatus s = kvStore_Get(&entry, kv, key.c_str());
    kvEntry_Destroy(entry);
    return s == NATS_OK;
  }
  std::string manifest(std::uint32_t p) {
    kvEntry* entry = nullptr;
    REQUIRE(kvStore_Get(&entry, kv, ("partition." + std::to_string(p)).c_str()) == NATS_OK);
    std::string text(kvEntry_ValueString(entry));
    kvEntry_Destroy(entry);
    return text;
  }
  // The generation the partition's manifest names now.
  std::string generation(std::uint32_t p) {
    std::string text = manifest(p);
    return text.substr(0, text.find(' '));
  }
  void put(const std::string& key, const std::string& value) {
    REQUIRE(kvStore_PutString(nullptr, kv, key.c_str(), value.c_str()) == NATS_OK);
  }
};

PartitionCheckpoint checkpoint_of(std::size_t bytes, char fill, std::uint64_t done) {
  PartitionCheckpoint c;
  c.resume_sequence = done * 3 + 1;
  c.done = done;
  c.ticked = done + 1;
  c.tick_time = Time{1'700'000'000'000'000 + static_cast<std::int64_t>(done)};
  c.state.assign(bytes, fill);
  for (std::size_t i = 0; i < bytes; i += 4093) c.state[i] = static_cast<char>(i % 251);
  return c;
}

// The key of chunk `i` of the partition's checkpoint now.
std::string chunk_key(Bucket& b, std::uint32_t p, std::size_t i) {
  return "partition." + std::to_string(p) + "." + b.generation(p) + "." + std::to_string(i);
}

// The generations of the partition's chunks in the bucket now.
std::set<std::string> generations(Bucket& b, std::uint32_t p) {
  kvKeysList keys{};
  REQUIRE(kvStore_Keys(&keys, b.kv, nullptr) == NATS_OK);
  std::set<std::string> found;
  std::string prefix = "partition." + std::to_string(p) + ".";
  for (int i = 0; i < keys.Count; ++i) {
    std::string key = keys.Keys[i];
    if (key.rfind(prefix, 0) != 0) continue;
    std::string rest = key.substr(prefix.size());
    found.insert(rest.substr(0, rest.find('.')));
  }
  kvKeysList_Destroy(&keys);
  return found;
}

}  // namespace

TEST_CASE("a checkpoint of several chunks comes back whole and replaces the last",
          "[service][nats][cluster]") {
  Bucket b;
  PartitionStore store = b.store();
  std::uint64_t revision = 0;
  CHECK_FALSE(store.load(3, revision).has_value());
  CHECK(revision == 0);

  PartitionCheckpoint first = checkpoint_of(700 * 1024, 'a', 10);  // three chunks of 256 KiB
  REQUIRE(store.save(3, first, revision) == PartitionStore::Saved::yes);
  CHECK(b.manifest(3).find(" 3 ") != std::string::npos);
  std::string first_chunk = chunk_key(b, 3, 2);
  CHECK(b.has(first_chunk));

  std::uint64_t loaded_revision = 0;
  std::optional<PartitionCheckpoint> back = store.load(3, loaded_revision);
  REQUIRE(back.has_value());
  CHECK(loaded_revision == revision);
  CHECK(back->state == first.state);
  CHECK(back->resume_sequence == first.resume_sequence);
  CHECK(back->done == 10);
  CHECK(back->ticked == 11);
  CHECK(back->tick_time == first.tick_time);

  PartitionCheckpoint second = checkpoint_of(300 * 1024, 'b', 20);  // two chunks
  REQUIRE(store.save(3, second, revision) == PartitionStore::Saved::yes);
  CHECK_FALSE(b.has(first_chunk));             // the replaced checkpoint's chunks are gone
  CHECK_FALSE(b.holds_anything(first_chunk));  // without a marker left for each
  back = store.load(3, loaded_revision);
  REQUIRE(back.has_value());
  CHECK(back->state == second.state);
  CHECK(back->done == 20);
}

TEST_CASE("a damaged or incomplete checkpoint is an error, not a start from scratch",
          "[service][nats][cluster]") {
  Bucket b;
  PartitionStore store = b.store();
  std::uint64_t revision = 0;
  REQUIRE(store.save(5, checkpoint_of(600 * 1024, 'c', 7), revision) == PartitionStore::Saved::yes);

  b.put(chunk_key(b, 5, 1), "not what was saved");
  CHECK_THROWS_AS(store.load(5, revision), BadBytes);
  CHECK_THROWS_WITH(store.load(5, revision), Catch::Contains("does not match its SHA-256"));

  REQUIRE(kvStore_Purge(b.kv, chunk_key(b, 5, 2).c_str(), nullptr) == NATS_OK);
  CHECK_THROWS_WITH(store.load(5, revision), Catch::Contains("lacks chunk 2"));
}

TEST_CASE("a save from a revision another worker moved past loses the partition",
          "[service][nats][cluster]") {
  Bucket b;
  PartitionStore worker_a = b.store(), worker_b = b.store();
  std::uint64_t a_revision = 0, b_revision = 0;
  // Both found no checkpoint; A saves first, so B's first save finds one there.
  REQUIRE(worker_a.save(1, checkpoint_of(1000, 'a', 1), a_revision) == PartitionStore::Saved::yes);
  CHECK(worker_b.save(1, checkpoint_of(1000, 'b', 2), b_revision) == PartitionStore::Saved::lost);
  std::uint64_t seen = 0;
  std::optional<PartitionCheckpoint> now = worker_a.load(1, seen);
  REQUIRE(now.has_value());
  CHECK(now->done == 1);

  // B takes the partition over from A's checkpoint; A, not knowing yet, saves from its revision.
  b_revision = seen;
  REQUIRE(worker_b.save(1, checkpoint_of(1000, 'b', 3), b_revision) == PartitionStore::Saved::yes);
  CHECK(worker_a.save(1, checkpoint_of(1000, 'a', 4), a_revision) == PartitionStore::Saved::lost);
  now = worker_b.load(1, seen);
  REQUIRE(now.has_value());
  CHECK(now->done == 3);
  CHECK(now->state == checkpoint_of(1000, 'b', 3).state);
}

TEST_CASE("a save whose outcome cannot be told keeps its chunks, and is found if it landed",
          "[service][nats][cluster]") {
  Bucket b;
  PartitionStore store = b.store();
  std::uint64_t revision = 0;
  REQUIRE(store.save(2, checkpoint_of(1000, 'a', 1), revision) == PartitionStore::Saved::yes);
  std::string first = b.generation(2);

  // A manifest write refused while the manifest reads as not past the revision written from:
  // what a reply lost to a starved server, or a lagging replica's answer, looks like. Its chunks
  // stay, in case the write lands.
  std::uint64_t ahead = revision + 100;
  CHECK(store.save(2, checkpoint_of(1000, 'b', 2), ahead) == PartitionStore::Saved::later);
  std::set<std::string> now = generations(b, 2);
  REQUIRE(now.size() == 2);
  now.erase(first);
  std::string unclear = *now.begin();
  std::uint64_t seen = 0;
  CHECK(store.load(2, seen)->done == 1);

  // It lands after all; the next save, from the revision before it, finds it there.
  kvEntry* entry = nullptr;
  std::string chunk_key = "partition.2." + unclear + ".0";
  REQUIRE(kvStore_Get(&entry, b.kv, chunk_key.c_str()) == NATS_OK);
  std::string bytes(static_cast<const char*>(kvEntry_Value(entry)),
                    static_cast<std::size_t>(kvEntry_ValueLen(entry)));
  kvEntry_Destroy(entry);
  b.put("partition.2", unclear + " 1 " + Sha256::hex(bytes));
  CHECK(store.save(2, checkpoint_of(1000, 'c', 3), revision) == PartitionStore::Saved::later);
  CHECK(store.load(2, seen)->done == 2);
  CHECK(revision == seen);  // the next save goes from the landed one
  REQUIRE(store.save(2, checkpoint_of(1000, 'd', 4), revision) == PartitionStore::Saved::yes);
  CHECK(store.load(2, seen)->done == 4);
  CHECK(generations(b, 2).size() == 1);  // the first's chunks, the landed one's, the refused one's
}
