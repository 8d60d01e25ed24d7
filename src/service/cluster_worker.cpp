// A worker (bylaw/service/cluster.hpp): leases, then partitions pumped in turn, then every
// checkpoint interval the decisions and hops made so far stored and each partition's
// checkpoint written.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/durable_run.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "bylaw/service/cluster.hpp"
#include "cluster_leases.hpp"
#include "cluster_setup.hpp"
#include "loop_watch.hpp"
#include "nats_publisher.hpp"
#include "owned_partition.hpp"

namespace bylaw::service {

namespace {

// Pacing checkpoints by what they cost keeps them from taking most of the time; but a broker that
// was slow for a moment must not leave a partition without one for long.
constexpr std::chrono::seconds kLongestBetweenSaves{5};
// A drained partition whose last save was not stored tries again no sooner than this.
constexpr std::chrono::seconds kSaveRetryWait{1};
// A partition that holds work and has done nothing with it this long is reported, with what it
// waits for (a tick from the router, a hop from another partition).
constexpr std::chrono::seconds kStuckAfter{10};
// A partition stuck this long reads its subject again through a new consumer.
constexpr std::chrono::seconds kReadAgainAfter{30};
// The worker's loop staying this long at one call (a broker call that does not come back) is
// reported: every partition of the worker waits for it.
constexpr std::chrono::seconds kLoopStuckAfter{30};

// Decisions as JSON Lines until the next checkpoint publishes them.
class PendingDecisions : public runtime::DecisionSink {
 public:
  explicit PendingDecisions(io::Explanations explanations) : explanations_(explanations) {}
  void on_decision(const runtime::Decision& decision) override {
    if (decision.shadow)
      return;  // shadow rules enforce nothing, and a cluster has no shadow output
    io::append_decision(decision, lines_, explanations_);
    lines_ += '\n';
  }
  std::string take() { return std::exchange(lines_, {}); }

 private:
  io::Explanations explanations_;
  std::string lines_;
};

std::string default_worker_id() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return fmt::format("{}-{}", host, getpid());
}

class Worker {
 public:
  Worker(const check::Policy& policy, const WorkerOptions& options)
      : policy_(policy),
        options_(options),
        names_(options.cluster.prefix),
        control_(options.url),
        hop_link_(options.url),
        decision_link_(options.url),
        router_(policy, options.cluster.partitions),
        sink_(options.run.explanations),
        hops_(hop_link_, options.stop),
        decisions_(decision_link_, NatsPublisher::Kind::kDecisions, options.decisions_prefix,
                   options.stop, NatsPublisher::Writers::shared),
        worker_id_(options.worker_id.empty() ? default_worker_id() : options.worker_id),
        watch_(
            [id = worker_id_](const std::string& what) { spdlog::warn("worker {}: {}", id, what); },
            kLoopStuckAfter) {
    ensure_cluster(control_, names_, options.cluster.replicas);
    lease_bucket_ = open_bucket(control_, names_.leases);
    checkpoint_bucket_ = open_bucket(control_, names_.checkpoints);
    leases_ = std::make_unique<Leases>(control_.jetstream(), lease_bucket_, worker_id_,
                                       options.lease_time, options.cluster.partitions);
    store_ = std::make_unique<PartitionStore>(checkpoint_bucket_, control_.jetstream());
  }

  ~Worker() {
    owned_.clear();
    kvStore_Destroy(lease_bucket_);
    kvStore_Destroy(checkpoint_bucket_);
  }

  void run() {
    spdlog::info("worker {}: {} partitions of cluster {}", worker_id_, options_.cluster.partitions,
                 names_.prefix);
    auto next_lease = std::chrono::steady_clock::now();
    auto next_checkpoint = next_lease + options_.checkpoint_interval;
    auto next_stuck_check = next_lease + kStuckAfter;
    while (!*options_.stop) {
      auto now = std::chrono::steady_clock::now();
      if (now >= next_lease) {
        watch_.at("a lease turn");
        lease_turn();
        next_lease = now + options_.lease_time / 3;
      }
      watch_.at("reading its partitions");
      bool did = false;
      for (auto& [p, partition] : owned_) did = partition->pump(512) || did;
      watch_.at("giving partitions up");
      give_up_drained();
      if (now >= next_checkpoint) {
        watch_.at("a checkpoint");
        checkpoint(Which::due);
        next_checkpoint = now + options_.checkpoint_interval;
      }
      if (now >= next_stuck_check) {
        report_stuck(now);
        next_stuck_check = now + kStuckAfter;
      }
      watch_.at("a pause");
      if (!did) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    watch_.at("the last checkpoint");
    checkpoint(Which::every);
    for (auto& [p, partition] : owned_) leases_->release(p);
    leases_->leave();
    spdlog::info("worker {}: stopped; partitions given up", worker_id_);
  }

 private:
  // Renew; drop what was lost; give up what is above this worker's share; take what is free.
  void lease_turn() {
    for (std::uint32_t p : leases_->renew()) owned_.erase(p);
    // JetStream busy: the count from the last turn stands.
    std::size_t workers = leases_->live_workers().value_or(workers_);
    std::size_t share = (options_.cluster.partitions + workers - 1) / workers;
    // Above its share (a worker joined): the partitions above it finish the event under way and
    // are given up between events, right after a checkpoint (give_up_drained).
    std::size_t keep = share;
    for (auto& [p, partition] : owned_) {
      if (keep > 0) {
        --keep;
        continue;
      }
      partition->drain();
    }
    share_ = share;
    workers_ = workers;
    for (std::uint32_t p : leases_->claim(share)) take_over(p);
  }

  void report_stuck(std::chrono::steady_clock::time_point now) {
    for (const auto& [p, partition] : owned_) {
      if (auto why = partition->stuck_since(now - kStuckAfter)) {
        spdlog::warn("worker {}: partition {} has done nothing for {} s: {}", worker_id_, p,
                     kStuckAfter.count(), *why);
      }
      if (auto from = partition->read_again_if_stuck_since(now - kReadAgainAfter)) {
        spdlog::warn(
            "worker {}: partition {} reads its subject again from stream sequence {} "
            "(a new consumer, after {} s stuck)",
            worker_id_, p, *from, kReadAgainAfter.count());
      }
    }
  }

  void give_up_drained() {
    std::vector<std::uint32_t> drained;
    for (auto& [p, partition] : owned_) {
      if (partition->drained()) drained.push_back(p);
    }
    if (drained.empty()) return;
    checkpoint(Which::drained);
    for (std::uint32_t p : drained) {
      // Given up only once its last checkpoint is stored (else the next owner would go back).
      auto it = owned_.find(p);
      if (it == owned_.end() || !it->second->checkpoint_stored()) continue;
      owned_.erase(p);
      leases_->release(p);
      spdlog::info("worker {}: gave partition {} up ({} workers, a share of {})", worker_id_, p,
                   workers_, share_);
    }
  }

  void take_over(std::uint32_t p) {
    std::uint64_t revision = 0;
    std::optional<PartitionCheckpoint> from;
    try {
      from = store_->load(p, revision);
      revisions_[p] = revision;
      owned_[p] = std::make_unique<OwnedPartition>(policy_, io::engine_options(options_.run), sink_,
                                                   router_, p, control_, names_, hops_, from);
    } catch (const std::exception& e) {
      // JetStream busy or a node away: another turn, here or at another worker, tries again.
      spdlog::warn("worker {}: cannot take partition {} now: {}", worker_id_, p, e.what());
      leases_->release(p);
      return;
    }
    spdlog::info("worker {}: took partition {} ({})", worker_id_, p,
                 from ? fmt::format("from its checkpoint at event {}, stream sequence {}",
                                    from->done, from->resume_sequence)
                      : std::string("from the start"));
  }

  enum class Which {
    due,      // those whose time has come (paced by what their last save cost)
    drained,  // those being given up, now, unless their last save failed just now
    every,    // all, now (stopping)
  };

  // Decisions and hops stored first: a checkpoint never covers what could still be lost.
  void checkpoint(Which which) {
    decisions_.append(sink_.take());
    hops_.flush();
    auto now = std::chrono::steady_clock::now();
    for (auto it = owned_.begin(); it != owned_.end();) {
      std::uint32_t p = it->first;
      bool wanted = which == Which::every || (which == Which::due && now >= next_save_[p]) ||
                    (which == Which::drained && it->second->drained() && now >= retry_save_[p]);
      std::optional<PartitionCheckpoint> c;
      if (wanted) c = it->second->checkpoint();
      if (c && !save(p, *it->second, *c)) {
        it = owned_.erase(it);
        continue;
      }
      ++it;
    }
  }

  // False when another worker has written the partition's checkpoint: it is no longer ours.
  bool save(std::uint32_t p, OwnedPartition& partition, const PartitionCheckpoint& c) {
    auto started = std::chrono::steady_clock::now();
    PartitionStore::Saved saved = store_->save(p, c, revisions_[p]);
    auto now = std::chrono::steady_clock::now();
    // A checkpoint saves the partition's whole state: one that took long waits ten times as
    // long before the next, so that saving never takes most of the time.
    next_save_[p] = started + std::min<std::chrono::steady_clock::duration>(10 * (now - started),
                                                                            kLongestBetweenSaves);
    if (saved == PartitionStore::Saved::later) {
      partition.unsaved();
      retry_save_[p] = now + kSaveRetryWait;
    }
    if (saved != PartitionStore::Saved::lost) return true;
    spdlog::warn("worker {}: partition {}'s checkpoint was written by another worker; giving it up",
                 worker_id_, p);
    leases_->release(p);
    return false;
  }

  const check::Policy& policy_;
  const WorkerOptions& options_;
  ClusterNames names_;
  NatsLink control_;        // leases, checkpoints, the partitions' messages in
  NatsLink hop_link_;       // hops out (their own acks)
  NatsLink decision_link_;  // decisions out
  runtime::Router router_;
  PendingDecisions sink_;
  BatchPublisher hops_;
  NatsPublisher decisions_;
  std::string worker_id_;
  kvStore* lease_bucket_ = nullptr;
  kvStore* checkpoint_bucket_ = nullptr;
  std::unique_ptr<Leases> leases_;
  std::unique_ptr<PartitionStore> store_;
  std::map<std::uint32_t, std::unique_ptr<OwnedPartition>> owned_;
  std::map<std::uint32_t, std::uint64_t> revisions_;  // of each partition's checkpoint manifest
  std::size_t workers_ = 1;  // live, at the last lease turn, and this worker's share then
  std::size_t share_ = 0;
  std::map<std::uint32_t, std::chrono::steady_clock::time_point> next_save_;   // not before
  std::map<std::uint32_t, std::chrono::steady_clock::time_point> retry_save_;  // if drained
  LoopWatch watch_;  // last: its thread stops first
};

}  // namespace

void run_worker(const check::Policy& policy, const WorkerOptions& options) {
  Worker worker(policy, options);
  worker.run();
}

}  // namespace bylaw::service
