// One of a cluster's key-value buckets (prefix "test", one copy) on a nats-server of the test's
// own, for the unit tests of what the workers keep there.
#pragma once

#include <string>

#include "nats_server.hpp"
#include "service/cluster_setup.hpp"
#include "service/nats_link.hpp"

namespace bylaw::testing {

struct ClusterBucket {
  // `which`: the bucket among the cluster's names (&ClusterNames::leases, ::checkpoints).
  explicit ClusterBucket(std::string service::ClusterNames::*which) {
    service::ClusterNames names("test");
    service::ensure_cluster(link, names, 1);
    kv = service::open_bucket(link, names.*which);
  }
  ~ClusterBucket() { kvStore_Destroy(kv); }
  ClusterBucket(const ClusterBucket&) = delete;
  ClusterBucket& operator=(const ClusterBucket&) = delete;

  NatsServer server;
  service::NatsLink link{server.url()};
  kvStore* kv = nullptr;
};

}  // namespace bylaw::testing
