#include "hops.hpp"

#include <utility>

#include <fmt/format.h>

#include "bylaw/core/bytes.hpp"
#include "bylaw/core/keyed_hash.hpp"
#include "bylaw/runtime/partitions.hpp"

namespace bylaw::runtime {

namespace {

// The partitioning key: any fixed value does; changing it moves every key of a deployment.
constexpr std::uint64_t kPartitionKey0 = 0x6279'6c61'772d'7061ULL;  // "bylaw-pa"
constexpr std::uint64_t kPartitionKey1 = 0x7274'6974'696f'6e73ULL;  // "rtitions"

}  // namespace

std::uint32_t partition_of(std::string_view encoded_key, std::uint32_t partitions) {
  if (partitions <= 1) return 0;
  return static_cast<std::uint32_t>(siphash13(kPartitionKey0, kPartitionKey1, encoded_key) %
                                    partitions);
}

std::string encode_event(const Event& event) {
  std::string out;
  pack_event(event, out);
  return out;
}

EventPtr decode_event(std::string_view bytes) {
  UnpackedEvent unpacked;
  unpack_event(bytes, unpacked);
  return share(std::move(unpacked.event));
}

std::string encode_reads(const HopReads& reads) {
  std::string out;
  put_varint(out, reads.size());
  for (const auto& read : reads) {
    out += static_cast<char>(read.kind);
    switch (read.kind) {
      case HopRead::Kind::value:
        put_value(out, read.value);
        break;
      case HopRead::Kind::latest:
        out += read.found ? '1' : '0';
        if (read.found) put_text(out, read.packed);
        break;
      case HopRead::Kind::earlier:
        put_varint(out, read.decisions.size());
        for (const auto& record : read.decisions) {
          put_signed(out, record.time.micros);
          out += !record.eligible ? '-' : *record.eligible ? '1' : '0';
          put_text(out, record.trigger);
        }
        break;
    }
  }
  return out;
}

HopReads decode_reads(std::string_view bytes) {
  ByteReader in(bytes, "hop");
  HopReads reads(in.count());
  std::vector<std::string> spare;
  for (auto& read : reads) {
    auto kind = static_cast<std::uint8_t>(in.take(1)[0]);
    if (kind > static_cast<std::uint8_t>(HopRead::Kind::earlier)) in.fail("an unknown read");
    read.kind = static_cast<HopRead::Kind>(kind);
    switch (read.kind) {
      case HopRead::Kind::value:
        in.value(read.value, spare);
        break;
      case HopRead::Kind::latest:
        read.found = in.take(1)[0] == '1';
        if (read.found) read.packed.assign(in.text());
        break;
      case HopRead::Kind::earlier:
        read.decisions.resize(in.count());
        for (auto& record : read.decisions) {
          record.time = Time{in.signed_varint()};
          char eligible = in.take(1)[0];
          if (eligible != '-') record.eligible = eligible == '1';
          record.trigger.assign(in.text());
        }
        break;
    }
  }
  if (!in.done()) in.fail("bytes after the last read");
  return reads;
}

void HopGate::start(HopReads replay, bool can_forward) {
  reads_ = std::move(replay);
  replayed_ = reads_.size();
  next_ = 0;
  can_forward_ = can_forward;
  wrote_ = false;
  armed_ = true;
  answered_.clear();
}

void HopGate::begin_rule() {
  if (std::exchange(armed_, false)) return;
  reads_.clear();
  replayed_ = 0;
  next_ = 0;
  can_forward_ = false;
  wrote_ = false;
  answered_.clear();
}

const Value* HopGate::answered(const void* expression) const {
  for (const auto& [asked, value] : answered_) {
    if (asked == expression) return &value;
  }
  return nullptr;
}

void HopGate::answer(const void* expression, const Value& value) {
  answered_.emplace_back(expression, value);
}

bool HopGate::owns(std::string_view key) const {
  return partition_of(key, partitions_) == partition_;
}

const HopRead* HopGate::read(std::string_view key, HopRead::Kind kind) {
  std::size_t at = next_++;
  if (at < replayed_) {
    if (reads_[at].kind != kind) elsewhere("a replayed read of another kind");
    return &reads_[at];
  }
  if (owns(key)) return nullptr;
  if (can_forward_ && !wrote_) throw ForwardNeeded{};
  elsewhere(wrote_ ? "a read after a write" : "a read at the end of its route");
}

void HopGate::kept(HopRead read) {
  reads_.push_back(std::move(read));
}

void HopGate::write(std::string_view key) {
  if (owns(key)) {
    wrote_ = true;
    return;
  }
  if (can_forward_ && !wrote_) throw ForwardNeeded{};
  elsewhere(wrote_ ? "a write after a write under another key" : "a write at the end of its route");
}

void HopGate::elsewhere(std::string_view what) const {
  throw PartitionError(fmt::format(
      "partition {}: {} needs state another partition owns, which the rule's route did not "
      "foresee (docs/scaling.md)",
      partition_, what));
}

}  // namespace bylaw::runtime
