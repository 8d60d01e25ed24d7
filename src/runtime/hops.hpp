// The gate a rule's evaluation passes at every read or write of keyed state when the state is
// partitioned (bylaw/runtime/partitions.hpp). Without a gate (one process) nothing changes.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/core/value.hpp"
#include "state.hpp"

namespace bylaw::runtime {

// One read of state, as the partition that owns it saw it.
struct HopRead {
  enum class Kind : std::uint8_t { value, latest, earlier };
  Kind kind = Kind::value;
  Value value;                            // a hold's builtin: held, appeal_at, ...
  bool found = false;                     // latest: whether an event was found
  std::string packed;                     // latest: that event (pack_event)
  std::vector<DecisionRecord> decisions;  // earlier
};

// A deque: lets point into the records of an `earlier` read, which must stay where they are
// while later reads are added.
using HopReads = std::deque<HopRead>;
std::string encode_reads(const HopReads& reads);
HopReads decode_reads(std::string_view bytes);

// Thrown out of a rule's evaluation when it reaches state of the next partition on its route.
struct ForwardNeeded {};

class HopGate {
 public:
  HopGate(std::uint32_t partition, std::uint32_t partitions)
      : partition_(partition), partitions_(partitions) {}

  // Before a rule's evaluation: the reads handed over (none where the rule starts), and whether
  // its route goes on past this partition.
  void start(HopReads replay, bool can_forward);
  // At the start of every rule's evaluation: a rule started without `start` (a timer's, a
  // reaction's) reads and writes only what this partition owns.
  void begin_rule();
  // A read of state under `key` (append_key's encoding): the read to replay, or null when this
  // partition owns the key and reads it (then `kept`, with what it read). Throws ForwardNeeded
  // when another partition owns it and the route goes on.
  // `kind`: what the evaluation reads, checked against what is replayed (a mismatch is a bug).
  const HopRead* read(std::string_view key, HopRead::Kind kind);
  void kept(HopRead read);
  // A write under `key`: this partition must own it. Before any write, another owner means the
  // rule goes on at the next partition (ForwardNeeded).
  void write(std::string_view key);
  // Everything read so far, for the next partition.
  const HopReads& reads() const { return reads_; }

  bool owns(std::string_view key) const;

  // A hold's builtin already answered in this rule's evaluation, by the expression that asked:
  // the trace evaluates conditions again, and must get the same answer without reading again
  // (the state may be another partition's, read before the hop).
  const Value* answered(const void* expression) const;
  void answer(const void* expression, const Value& value);
  // Which part of a composite `latest` key partitions it ([rule][correlation], from the key
  // analysis).
  std::vector<std::vector<std::size_t>> latest_parts;

 private:
  [[noreturn]] void elsewhere(std::string_view what) const;

  std::uint32_t partition_;
  std::uint32_t partitions_;
  HopReads reads_;
  std::size_t replayed_ = 0;  // of reads_, handed over
  std::size_t next_ = 0;      // the next read's place in the evaluation
  bool can_forward_ = false;
  bool wrote_ = false;
  bool armed_ = false;  // `start` was called for the coming rule
  std::vector<std::pair<const void*, Value>> answered_;
};

}  // namespace bylaw::runtime
