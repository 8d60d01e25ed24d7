// Leases on partitions, in a JetStream key-value bucket (docs/scaling.md). The key
// `partition.<n>` holds "<owner> <expiry, ms since the epoch>"; it is taken with compare-and-set
// on the key's revision (create when missing, update from the revision read when expired or
// released), renewed the same way, and lost when a renewal finds another revision. Workers also
// keep `worker.<id>` alive, so that each can count the live ones and take its share.
//
// Expiry is by the wall clock of the machines, so their clocks must agree to well within the lease
// time. No decision depends on it: a partition held by two workers at once (one that lost its lease
// and has not noticed yet) makes the same messages under the same ids, and only one can write
// its checkpoint (partition_store.hpp, also compare-and-set).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nats/nats.h>

namespace bylaw::service {

class Leases {
 public:
  // `js`: the context the bucket was opened with (the bucket's stream is asked for its keys).
  Leases(jsCtx* js, kvStore* bucket, std::string worker, std::chrono::milliseconds lease_time,
         std::uint32_t partitions);

  // Renews this worker's own key and every lease it holds; returns the partitions it lost.
  std::vector<std::uint32_t> renew();
  // Takes free and expired partitions until it holds `share`; returns the ones it took.
  std::vector<std::uint32_t> claim(std::size_t share);
  // Gives a partition up (after its last checkpoint), for another worker to take at once.
  void release(std::uint32_t partition);
  // This worker stops: its own key goes from the bucket's stream (not a delete marker, which
  // would stay among the subjects every lease turn lists).
  void leave();
  // Workers whose own key is alive, this one included; nothing when JetStream cannot say now.
  // Keys of others that expired kForgetAfterLeases lease times ago are purged on the way.
  std::optional<std::size_t> live_workers();
  static constexpr int kForgetAfterLeases = 10;

 private:
  std::string value(std::int64_t expires_ms) const;
  std::string own_key() const { return "worker." + worker_; }
  std::int64_t now_ms() const;
  // The revision after writing this worker's lease under `key` from `revision` (0: create).
  bool write(const std::string& key, std::uint64_t revision, std::uint64_t& written);

  // The keys `worker.*` of the bucket, from its stream's subjects; nothing when it cannot say.
  std::optional<std::vector<std::string>> worker_keys();
  // Purges another worker's long-expired key.
  void forget(const std::string& key);

  jsCtx* js_;
  kvStore* bucket_;
  std::string worker_;
  std::chrono::milliseconds lease_time_;
  std::uint32_t partitions_;
  struct Held {
    std::uint64_t revision;  // of its lease
    std::int64_t expires_ms;
  };
  // Whether a failed renewal means the lease is gone (another worker wrote it, or it expired
  // while JetStream could not be reached), rather than a passing failure.
  bool gone(std::uint32_t partition, Held& held);

  std::map<std::uint32_t, Held> held_;
  std::uint64_t own_revision_ = 0;  // of worker.<id>
};

}  // namespace bylaw::service
