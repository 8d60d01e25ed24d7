// The JetStream pieces a cluster shares (docs/scaling.md), named from its prefix and made when
// missing by whichever of the router and the workers starts first: the stream of the partition
// subjects, the key-value bucket of leases and the one of partition checkpoints.
#pragma once

#include <cstdint>
#include <string>

#include "nats_link.hpp"

namespace bylaw::service {

struct ClusterNames {
  std::string prefix;       // subjects: <prefix>.p.<partition>
  std::string stream;       // <prefix>_partitions ('.' made '_')
  std::string leases;       // key-value bucket: <prefix>_leases
  std::string checkpoints;  // key-value bucket: <prefix>_checkpoints
  explicit ClusterNames(const std::string& prefix);
};

// Makes the stream and the buckets with `replicas` copies each, or finds them there already.
// io::RunRefused when JetStream refuses.
void ensure_cluster(NatsLink& link, const ClusterNames& names, int replicas);

// A key-value bucket made by ensure_cluster; destroyed with kvStore_Destroy.
kvStore* open_bucket(NatsLink& link, const std::string& bucket);

// The stream that holds a bucket's keys (KV_<bucket>), and the prefix of its subjects
// ($KV.<bucket>.), for what the key-value calls do not offer.
std::string bucket_stream(kvStore* bucket);
std::string bucket_subjects(kvStore* bucket);
// Removes from the bucket's stream every message of the keys `keys` matches (a key, or a
// pattern with `*`), markers and all, so that they no longer show among its subjects.
natsStatus purge_keys(jsCtx* js, kvStore* bucket, const std::string& keys);

}  // namespace bylaw::service
