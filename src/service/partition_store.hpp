// Partition checkpoints in a JetStream key-value bucket, so that any worker can resume any
// partition (docs/scaling.md). A checkpoint is split into chunks under keys of a generation of
// its own, drawn at random (`partition.<n>.<generation>.<i>`, well under NATS's message size), and
// becomes the partition's when its manifest (`partition.<n>`: generation, chunks, SHA-256) is
// written by compare-and-set on the revision the writer last saw: a worker that lost the
// partition without noticing cannot write over its new owner's checkpoint, and two saves never
// write the same chunks. The chunks of the manifest replaced are removed after; a save that
// failed removes its own only once the manifest shows it did not take. Chunks are removed by
// purging their subjects from the bucket's stream, markers and all: the keys are never used
// again, and a delete marker left for each would grow the bucket by a subject per save.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nats/nats.h>

#include "bylaw/core/time.hpp"

namespace bylaw::service {

struct PartitionCheckpoint {
  std::uint64_t resume_sequence = 1;  // the stream sequence to read the partition from
  std::uint64_t done = 0;             // the last event (n) done
  std::uint64_t ticked = 0;           // the last tick seen (n) and its time
  Time tick_time;
  std::string state;  // the partition engine's
};

class PartitionStore {
 public:
  // `js` reaches the bucket's stream, to purge chunks.
  PartitionStore(kvStore* bucket, jsCtx* js) : bucket_(bucket), js_(js) {}

  // The partition's last checkpoint (none yet: nullopt), and in `revision` what the next save
  // must find there. Throws BadBytes when it is damaged.
  std::optional<PartitionCheckpoint> load(std::uint32_t partition, std::uint64_t& revision);
  enum class Saved { yes, later, lost };
  // `later`: JetStream did not take it, or cannot tell yet whether it did (the last checkpoint
  // stands, or this one if its write lands); `lost`: another worker's checkpoint is there, written
  // since `revision`.
  Saved save(std::uint32_t partition, const PartitionCheckpoint& checkpoint,
             std::uint64_t& revision);

 private:
  // After a manifest write that failed for the client: whether it was stored after all (`yes`,
  // its revision in `written`), may still be (`later`), or cannot be (`lost`, or `later` when an
  // earlier unclear save was stored instead).
  Saved settle(std::uint32_t partition, const std::string& manifest, const std::string& generation,
               const std::string& replaces, std::uint64_t& revision, std::uint64_t& written);
  // Every chunk of the checkpoint of `generation`, gone without a trace.
  void remove_chunks(std::uint32_t partition, const std::string& generation);

  kvStore* bucket_;
  jsCtx* js_;
  // By partition, the last save whose outcome could not be told: its manifest, and the
  // generation it would replace.
  struct Unclear {
    std::string manifest;
    std::string replaces;
  };
  std::map<std::uint32_t, Unclear> unclear_;
};

}  // namespace bylaw::service
