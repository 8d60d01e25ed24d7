#include "cluster_setup.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/io/durable_run.hpp"

namespace bylaw::service {

namespace {

constexpr int kStreamNameInUse = 10058;  // JetStream: a stream of that name exists
constexpr std::int64_t kDuplicateWindowNs = 120LL * 1000 * 1000 * 1000;

std::string safe_name(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

void refuse(const std::string& what, natsStatus s, jsErrCode code = static_cast<jsErrCode>(0)) {
  throw io::RunRefused(fmt::format("cannot make {}: {}", what, nats_error(s, code)));
}

void ensure_stream(NatsLink& link, const ClusterNames& names, int replicas) {
  std::string subjects = names.prefix + ".p.*";
  const char* list[] = {subjects.c_str()};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = names.stream.c_str();
  config.Subjects = list;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = replicas;
  config.Duplicates = kDuplicateWindowNs;
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&info, link.jetstream(), &config, nullptr, &code);
  jsStreamInfo_Destroy(info);
  if (s == NATS_OK) return;
  if (static_cast<int>(code) == kStreamNameInUse) {  // made by another member, maybe otherwise
    spdlog::info("NATS: the stream {} is there already", names.stream);
    return;
  }
  refuse("the stream " + names.stream, s, code);
}

void ensure_bucket(NatsLink& link, const std::string& bucket, int replicas) {
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = bucket.c_str();
  config.History = 1;
  config.Replicas = replicas;
  config.StorageType = js_FileStorage;
  kvStore* kv = nullptr;
  natsStatus s = js_CreateKeyValue(&kv, link.jetstream(), &config);
  kvStore_Destroy(kv);
  if (s == NATS_OK) return;
  // Made already, maybe with other settings: use it as it is.
  kv = open_bucket(link, bucket);
  kvStore_Destroy(kv);
}

}  // namespace

ClusterNames::ClusterNames(const std::string& p)
    : prefix(p),
      stream(safe_name(p) + "_partitions"),
      leases(safe_name(p) + "_leases"),
      checkpoints(safe_name(p) + "_checkpoints") {}

void ensure_cluster(NatsLink& link, const ClusterNames& names, int replicas) {
  // A JetStream cluster that is electing a leader, or busy, answers late: tried again for a while
  // before the start is refused.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    try {
      ensure_stream(link, names, replicas);
      ensure_bucket(link, names.leases, replicas);
      ensure_bucket(link, names.checkpoints, replicas);
      return;
    } catch (const io::RunRefused& e) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      spdlog::warn("{}; trying again", e.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

kvStore* open_bucket(NatsLink& link, const std::string& bucket) {
  kvStore* kv = nullptr;
  natsStatus s = js_KeyValue(&kv, link.jetstream(), bucket.c_str());
  if (s != NATS_OK) refuse("the key-value bucket " + bucket, s);
  return kv;
}

std::string bucket_stream(kvStore* bucket) {
  return fmt::format("KV_{}", kvStore_Bucket(bucket));
}

std::string bucket_subjects(kvStore* bucket) {
  return fmt::format("$KV.{}.", kvStore_Bucket(bucket));
}

natsStatus purge_keys(jsCtx* js, kvStore* bucket, const std::string& keys) {
  std::string stream = bucket_stream(bucket);
  std::string subject = bucket_subjects(bucket) + keys;
  jsOptions options;
  jsOptions_Init(&options);
  options.Stream.Purge.Subject = subject.c_str();
  return js_PurgeStream(js, stream.c_str(), &options, nullptr);
}

}  // namespace bylaw::service
