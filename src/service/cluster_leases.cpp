#include "cluster_leases.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cluster_setup.hpp"

namespace bylaw::service {

namespace {

std::string lease_key(std::uint32_t partition) {
  return fmt::format("partition.{}", partition);
}

struct Entry {
  bool found = false;
  std::uint64_t revision = 0;
  std::string owner;
  std::int64_t expires_ms = 0;
};

Entry read_entry(kvStore* bucket, const std::string& key) {
  Entry out;
  kvEntry* entry = nullptr;
  if (kvStore_Get(&entry, bucket, key.c_str()) != NATS_OK) return out;
  out.found = true;
  out.revision = kvEntry_Revision(entry);
  std::istringstream words(std::string(static_cast<const char*>(kvEntry_Value(entry)),
                                       static_cast<std::size_t>(kvEntry_ValueLen(entry))));
  words >> out.owner >> out.expires_ms;
  kvEntry_Destroy(entry);
  return out;
}

}  // namespace

Leases::Leases(jsCtx* js, kvStore* bucket, std::string worker, std::chrono::milliseconds lease_time,
               std::uint32_t partitions)
    : js_(js),
      bucket_(bucket),
      worker_(std::move(worker)),
      lease_time_(lease_time),
      partitions_(partitions) {}

std::int64_t Leases::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Leases::value(std::int64_t expires_ms) const {
  return fmt::format("{} {}", worker_, expires_ms);
}

bool Leases::write(const std::string& key, std::uint64_t revision, std::uint64_t& written) {
  std::string v = value(now_ms() + lease_time_.count());
  int length = static_cast<int>(v.size());
  natsStatus s = revision == 0
                     ? kvStore_Create(&written, bucket_, key.c_str(), v.data(), length)
                     : kvStore_Update(&written, bucket_, key.c_str(), v.data(), length, revision);
  return s == NATS_OK;
}

std::vector<std::uint32_t> Leases::renew() {
  std::string own = own_key();
  std::uint64_t written = 0;
  if (own_revision_ == 0 || !write(own, own_revision_, written)) {
    // Missing, or taken over after this worker was gone too long: write it anew.
    Entry e = read_entry(bucket_, own);
    if (!write(own, e.found ? e.revision : 0, written)) written = 0;
  }
  own_revision_ = written;
  std::vector<std::uint32_t> lost;
  for (auto it = held_.begin(); it != held_.end();) {
    std::int64_t expires = now_ms() + lease_time_.count();
    if (write(lease_key(it->first), it->second.revision, written)) {
      it->second = {written, expires};
      ++it;
    } else if (!gone(it->first, it->second)) {
      ++it;  // tried again at the next turn
    } else {
      spdlog::warn("worker {}: lost the lease on partition {}", worker_, it->first);
      lost.push_back(it->first);
      it = held_.erase(it);
    }
  }
  return lost;
}

bool Leases::gone(std::uint32_t partition, Held& held) {
  if (held.expires_ms < now_ms()) return true;
  Entry e = read_entry(bucket_, lease_key(partition));
  if (!e.found) return false;  // unreadable for now: still ours until it expires
  if (e.owner != worker_) return true;
  // Ours: a renewal that was stored though its reply was lost. Go on from its revision.
  held.revision = e.revision;
  return false;
}

std::vector<std::uint32_t> Leases::claim(std::size_t share) {
  std::vector<std::uint32_t> taken;
  std::int64_t now = now_ms();
  for (std::uint32_t p = 0; p < partitions_ && held_.size() < share; ++p) {
    if (held_.count(p)) continue;
    Entry e = read_entry(bucket_, lease_key(p));
    bool free = !e.found || e.owner == "-" || e.expires_ms < now || e.owner == worker_;
    if (!free) continue;
    std::uint64_t written = 0;
    std::int64_t expires = now_ms() + lease_time_.count();
    if (!write(lease_key(p), e.found ? e.revision : 0, written)) continue;  // another was faster
    held_[p] = {written, expires};
    taken.push_back(p);
  }
  return taken;
}

void Leases::release(std::uint32_t partition) {
  auto it = held_.find(partition);
  if (it == held_.end()) return;
  std::string v = "- 0";
  std::uint64_t written = 0;
  kvStore_Update(&written, bucket_, lease_key(partition).c_str(), v.data(),
                 static_cast<int>(v.size()), it->second.revision);
  held_.erase(it);
}

void Leases::leave() {
  natsStatus s = purge_keys(js_, bucket_, own_key());
  if (s != NATS_OK) {  // only a subject more to list: the key expires and is not counted
    spdlog::warn("worker {}: its key stays in the leases bucket: {}", worker_, nats_error(s));
  }
}

// Not kvStore_Keys: it reads through a new watcher (a consumer made and placed by the cluster's
// metadata leader) each call, and waits for it without end; one that was never delivered to
// (seen once on a loaded machine) stopped the worker for good. A stream info that lists the
// subjects is one request with the library's timeout (a page per 100,000 subjects, which the
// library follows).
std::optional<std::vector<std::string>> Leases::worker_keys() {
  std::string stream = bucket_stream(bucket_);
  std::string prefix = bucket_subjects(bucket_);
  std::string filter = prefix + "worker.>";
  jsOptions options;
  jsOptions_Init(&options);
  options.Stream.Info.SubjectsFilter = filter.c_str();
  // Not the context's wait (seconds): a lease turn must not outlast a lease. Without an answer
  // the worker keeps the count it had.
  options.Wait = std::max<std::int64_t>(lease_time_.count() / 4, 100);
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  if (js_GetStreamInfo(&info, js_, stream.c_str(), &options, &code) != NATS_OK) {
    return std::nullopt;
  }
  std::vector<std::string> keys;
  if (const jsStreamStateSubjects* subjects = info->State.Subjects) {
    for (int i = 0; i < subjects->Count; ++i) {
      std::string_view subject = subjects->List[i].Subject;  // within the filter
      keys.emplace_back(subject.substr(prefix.size()));
    }
  }
  jsStreamInfo_Destroy(info);
  return keys;
}

std::optional<std::size_t> Leases::live_workers() {
  std::optional<std::vector<std::string>> keys = worker_keys();
  if (!keys) return std::nullopt;
  std::size_t live = 0;
  std::int64_t now = now_ms();
  for (const std::string& key : *keys) {
    Entry e = read_entry(bucket_, key);
    if (e.found && e.expires_ms >= now) ++live;
    if (e.found && e.expires_ms < now - kForgetAfterLeases * lease_time_.count() &&
        key != own_key()) {
      forget(key);
    }
  }
  return std::max<std::size_t>(live, 1);
}

void Leases::forget(const std::string& key) {
  // A worker killed without leave() leaves its key; every turn of every worker would read it
  // for ever. One that comes back after this writes its key anew (renew creates a missing one).
  natsStatus s = purge_keys(js_, bucket_, key);
  if (s == NATS_OK) {
    spdlog::info("worker {}: forgot {}, expired over {} lease times ago", worker_, key,
                 kForgetAfterLeases);
  }
}

}  // namespace bylaw::service
