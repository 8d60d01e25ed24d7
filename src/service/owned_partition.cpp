#include "owned_partition.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/core/bytes.hpp"
#include "bylaw/io/durable_run.hpp"

namespace bylaw::service {

OwnedPartition::OwnedPartition(const check::Policy& policy, const runtime::EngineOptions& options,
                               runtime::DecisionSink& sink, runtime::Router& router,
                               std::uint32_t partition, NatsLink& link, const ClusterNames& names,
                               BatchPublisher& hops, const std::optional<PartitionCheckpoint>& from)
    : engine_(policy, options, sink, partition, router.partitions()),
      router_(router),
      partition_(partition),
      names_(names),
      link_(link),
      hops_out_(hops) {
  std::uint64_t start = 1;
  if (from) {
    engine_.restore(from->state);
    done_ = from->done;
    ticked_ = advanced_ = from->ticked;
    tick_time_ = advanced_time_ = from->tick_time;
    start = from->resume_sequence;
    last_sequence_ = start - 1;
  }
  subscribe(start);
}

OwnedPartition::~OwnedPartition() {
  unsubscribe();
}

void OwnedPartition::unsubscribe() {
  if (!subscription_) return;
  natsSubscription_Unsubscribe(subscription_);
  natsSubscription_Destroy(subscription_);
  subscription_ = nullptr;
}

// An ordered consumer (ephemeral, no acks, made again by the library after a gap or a lost
// connection) from the checkpoint's sequence: the checkpoint is the only cursor.
void OwnedPartition::subscribe(std::uint64_t from_sequence) {
  std::string subject = partition_subject(names_.prefix, partition_);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = names_.stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = from_sequence;
  jsErrCode code = static_cast<jsErrCode>(0);
  subscribed_at_ = std::chrono::steady_clock::now();
  natsStatus s =
      js_SubscribeSync(&subscription_, link_.jetstream(), subject.c_str(), nullptr, &so, &code);
  if (s != NATS_OK) {
    throw io::RunRefused(
        fmt::format("cannot read partition {} ({}): {}", partition_, subject, nats_error(s, code)));
  }
  // A partition behind by a whole stream must not be cut off by the library's queue limits.
  natsSubscription_SetPendingLimits(subscription_, -1, -1);
}

std::optional<std::uint64_t> OwnedPartition::read_again_if_stuck_since(
    std::chrono::steady_clock::time_point since) {
  if (subscribed_at_ >= since || !stuck_since(since)) return std::nullopt;
  // Messages read again are taken once: events and hops by their number, ticks by theirs.
  std::uint64_t from = last_sequence_ + 1;
  unsubscribe();
  subscribe(from);
  return from;
}

bool OwnedPartition::pump(std::size_t budget) {
  bool did = false;
  // Only what has arrived: a wait here would hold up the worker's other partitions.
  int queued = 0;
  natsSubscription_GetPending(subscription_, &queued, nullptr);
  for (std::size_t i = 0; i < budget && i < static_cast<std::size_t>(std::max(queued, 0)); ++i) {
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, subscription_, 1) != NATS_OK) break;
    take(msg);
    natsMsg_Destroy(msg);
    did = true;
  }
  if (!progress()) return did;
  last_progress_ = std::chrono::steady_clock::now();
  return true;
}

std::optional<std::string> OwnedPartition::stuck_since(
    std::chrono::steady_clock::time_point since) const {
  if (last_progress_ >= since || (events_.empty() && hops_.empty() && !current_)) {
    return std::nullopt;
  }
  std::string held = fmt::format("{} events and {} hops held, event {} done, ticks up to event {}",
                                 events_.size(), hops_.size(), done_, ticked_);
  if (current_) {
    const runtime::EventRoute::Work& w = current_->work[current_->next];
    return fmt::format("{}; event {} waits for the hop of rule {} step {}", held, current_->n,
                       w.rule, w.hop);
  }
  if (draining_) return fmt::format("{}; being given up", held);
  if (!events_.empty()) {
    return fmt::format("{}; event {} waits for a tick to cover it", held, events_.begin()->first);
  }
  return held;
}

void OwnedPartition::take(natsMsg* msg) {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) return;  // not a stream message
  std::uint64_t sequence = meta->Sequence.Stream;
  jsMsgMetaData_Destroy(meta);
  last_sequence_ = std::max(last_sequence_, sequence);
  PartitionMessage m = decode_message(
      std::string_view(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg))));
  switch (m.kind) {
    case PartitionMessage::Kind::event:
      if (m.n > done_) events_.emplace(m.n, Held<runtime::EventPtr>{sequence, m.event});
      break;
    case PartitionMessage::Kind::hop:
      if (m.n > done_)
        hops_.emplace(HopKey{m.n, m.rule, m.step}, Held<runtime::Hop>{sequence, m.hop});
      break;
    case PartitionMessage::Kind::tick:
      if (m.n > ticked_) {
        ticked_ = m.n;
        tick_time_ = m.time;
        tick_sequence_ = sequence;
      }
      break;
  }
}

bool OwnedPartition::progress() {
  bool did = false;
  for (;;) {
    if (!current_ && !start_next()) break;
    if (!run_current()) break;
    did = true;
  }
  // Every event up to the last tick is done: the clock moves to its time, and timers fire.
  if (!current_ && ticked_ > advanced_ && (events_.empty() || events_.begin()->first > ticked_)) {
    engine_.advance(tick_time_);
    advanced_ = ticked_;
    advanced_time_ = tick_time_;
    changed_ = true;
    did = true;
  }
  return did;
}

// The next event, once the router's tick says nothing before it can still come.
bool OwnedPartition::start_next() {
  if (draining_ || events_.empty() || events_.begin()->first > ticked_) return false;
  auto first = events_.begin();
  router_.route(first->second.value, route_);
  current_ = Current{first->first, first->second.value, route_.work_at(partition_),
                     route_.indexed_at(partition_)};
  engine_.begin(current_->event);
  return true;
}

// The current event's rules in turn; false when one waits for a hop not here yet.
bool OwnedPartition::run_current() {
  Current& c = *current_;
  for (; c.next < c.work.size(); ++c.next) {
    const runtime::EventRoute::Work& w = c.work[c.next];
    const runtime::Hop* in = nullptr;
    if (w.hop > 0) {
      auto it = hops_.find(HopKey{c.n, w.rule, static_cast<std::uint32_t>(w.hop)});
      if (it == hops_.end()) return false;
      in = &it->second.value;
    }
    runtime::Hop out = engine_.run(w, in);
    if (!w.forwards) continue;
    PartitionMessage hop;
    hop.kind = PartitionMessage::Kind::hop;
    hop.n = c.n;
    hop.rule = w.rule;
    hop.step = static_cast<std::uint32_t>(w.hop + 1);
    hop.hop = std::move(out);
    hops_out_.publish(partition_subject(names_.prefix, w.to), message_id(hop, w.to),
                      encode_message(hop));
  }
  engine_.end(c.indexed);
  done_ = c.n;
  events_.erase(events_.begin());
  hops_.erase(hops_.begin(), hops_.lower_bound(HopKey{done_ + 1, 0, 0}));
  current_.reset();
  changed_ = true;
  return true;
}

std::optional<PartitionCheckpoint> OwnedPartition::checkpoint() {
  if (current_ || !changed_) return std::nullopt;
  PartitionCheckpoint c;
  // Read again from the first message not yet used up; what was is dropped by its n.
  c.resume_sequence = last_sequence_ + 1;
  for (const auto& [n, held] : events_)
    c.resume_sequence = std::min(c.resume_sequence, held.sequence);
  for (const auto& [key, held] : hops_)
    c.resume_sequence = std::min(c.resume_sequence, held.sequence);
  c.done = done_;
  // The clock as far as timers were fired. A tick past it (its events wait: the partition is
  // being given up) is read again from the stream, after those events.
  c.ticked = advanced_;
  c.tick_time = advanced_time_;
  if (ticked_ > advanced_) c.resume_sequence = std::min(c.resume_sequence, tick_sequence_);
  engine_.save(c.state);
  changed_ = false;
  return c;
}

}  // namespace bylaw::service
