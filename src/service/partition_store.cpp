#include "partition_store.hpp"

#include <random>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/core/bytes.hpp"
#include "bylaw/core/sha256.hpp"
#include "cluster_setup.hpp"

namespace bylaw::service {

namespace {

constexpr std::size_t kChunk = 256 * 1024;

std::string manifest_key(std::uint32_t p) {
  return fmt::format("partition.{}", p);
}

std::string chunk_key(std::uint32_t p, const std::string& generation, std::size_t i) {
  return fmt::format("partition.{}.{}.{}", p, generation, i);
}

// A generation no other save can pick, even one of the same partition at the same moment (a
// worker that lost the partition without noticing yet): chunks of two saves never mix.
std::string new_generation() {
  static std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}", random());
}

struct Manifest {
  std::string generation;
  std::size_t chunks = 0;
  std::string sha256;
};

// The value under `key`; none when it is not there, or (with `strict` false) when it cannot be
// read now. Strict, a failure to read is an error: "no checkpoint" would start the partition
// from scratch.
std::optional<std::string> get(kvStore* bucket, const std::string& key, std::uint64_t* revision,
                               bool strict = false) {
  kvEntry* entry = nullptr;
  natsStatus s = kvStore_Get(&entry, bucket, key.c_str());
  if (s == NATS_NOT_FOUND || (s != NATS_OK && !strict)) return std::nullopt;
  if (s != NATS_OK) {
    throw std::runtime_error(fmt::format("cannot read {}: {}", key, natsStatus_GetText(s)));
  }
  std::string value(static_cast<const char*>(kvEntry_Value(entry)),
                    static_cast<std::size_t>(kvEntry_ValueLen(entry)));
  if (revision) *revision = kvEntry_Revision(entry);
  kvEntry_Destroy(entry);
  return value;
}

std::string encode(const PartitionCheckpoint& c) {
  std::string out;
  put_varint(out, c.resume_sequence);
  put_varint(out, c.done);
  put_varint(out, c.ticked);
  put_signed(out, c.tick_time.micros);
  put_text(out, c.state);
  return out;
}

PartitionCheckpoint decode(std::string_view bytes) {
  ByteReader in(bytes, "partition checkpoint");
  PartitionCheckpoint c;
  c.resume_sequence = in.varint();
  c.done = in.varint();
  c.ticked = in.varint();
  c.tick_time = Time{in.signed_varint()};
  c.state.assign(in.text());
  if (!in.done()) in.fail("trailing bytes");
  return c;
}

Manifest read_manifest(const std::string& text) {
  Manifest m;
  std::istringstream words(text);
  words >> m.generation >> m.chunks >> m.sha256;
  return m;
}

}  // namespace

void PartitionStore::remove_chunks(std::uint32_t p, const std::string& generation) {
  natsStatus s = purge_keys(js_, bucket_, fmt::format("partition.{}.{}.*", p, generation));
  if (s != NATS_OK) {  // only room is lost: nothing points at them
    spdlog::warn("partition {}: old checkpoint chunks not removed: {}", p, nats_error(s));
  }
}

std::optional<PartitionCheckpoint> PartitionStore::load(std::uint32_t p, std::uint64_t& revision) {
  revision = 0;
  std::optional<std::string> text = get(bucket_, manifest_key(p), &revision, true);
  if (!text) return std::nullopt;
  Manifest m = read_manifest(*text);
  std::string bytes;
  for (std::size_t i = 0; i < m.chunks; ++i) {
    std::optional<std::string> chunk = get(bucket_, chunk_key(p, m.generation, i), nullptr, true);
    if (!chunk) throw BadBytes(fmt::format("partition {}'s checkpoint lacks chunk {}", p, i));
    bytes += *chunk;
  }
  if (Sha256::hex(bytes) != m.sha256) {
    throw BadBytes(fmt::format("partition {}'s checkpoint does not match its SHA-256", p));
  }
  return decode(bytes);
}

// A write can fail for the client and still be stored, now or a moment later (a node went away
// before the reply, a starved server): the manifest says which, once it has moved past the
// revision written from. A read may come from a replica that lags (the bucket allows direct
// gets), so a manifest not yet past it tells nothing: the chunks stay, in case the write lands,
// and the next save decides. Past it and not ours, another write won, or an earlier save of ours
// that seemed to fail: this one cannot land any more, and its chunks go.
PartitionStore::Saved PartitionStore::settle(std::uint32_t p, const std::string& text,
                                             const std::string& generation,
                                             const std::string& replaces, std::uint64_t& revision,
                                             std::uint64_t& written) {
  std::uint64_t now = 0;
  std::optional<std::string> there = get(bucket_, manifest_key(p), &now);
  if (there && *there == text) {
    written = now;
    return Saved::yes;
  }
  if (!there || now <= revision) {
    unclear_[p] = {text, replaces};
    return Saved::later;
  }
  remove_chunks(p, generation);
  auto u = unclear_.find(p);
  if (u == unclear_.end() || *there != u->second.manifest) return Saved::lost;
  // The last save took after all: what it replaced goes, and this one goes again from it.
  if (!u->second.replaces.empty()) remove_chunks(p, u->second.replaces);
  unclear_.erase(u);
  revision = now;
  return Saved::later;
}

PartitionStore::Saved PartitionStore::save(std::uint32_t p, const PartitionCheckpoint& checkpoint,
                                           std::uint64_t& revision) {
  std::optional<Manifest> old;
  if (revision != 0) {
    if (std::optional<std::string> text = get(bucket_, manifest_key(p), nullptr)) {
      old = read_manifest(*text);
    }
  }
  std::string bytes = encode(checkpoint);
  Manifest next{new_generation(), (bytes.size() + kChunk - 1) / kChunk, Sha256::hex(bytes)};
  for (std::size_t i = 0; i < next.chunks; ++i) {
    std::string_view chunk = std::string_view(bytes).substr(i * kChunk, kChunk);
    std::uint64_t written = 0;
    natsStatus s = kvStore_Put(&written, bucket_, chunk_key(p, next.generation, i).c_str(),
                               chunk.data(), static_cast<int>(chunk.size()));
    if (s != NATS_OK) {
      remove_chunks(p, next.generation);  // nothing points at them
      spdlog::warn("partition {}: a checkpoint chunk was not stored; the next try writes it", p);
      return Saved::later;
    }
  }
  std::string text = fmt::format("{} {} {}", next.generation, next.chunks, next.sha256);
  std::uint64_t written = 0;
  natsStatus s = revision == 0
                     ? kvStore_Create(&written, bucket_, manifest_key(p).c_str(), text.data(),
                                      static_cast<int>(text.size()))
                     : kvStore_Update(&written, bucket_, manifest_key(p).c_str(), text.data(),
                                      static_cast<int>(text.size()), revision);
  if (s != NATS_OK) {
    Saved settled =
        settle(p, text, next.generation, old ? old->generation : std::string(), revision, written);
    if (settled != Saved::yes) return settled;
  }
  unclear_.erase(p);
  revision = written;
  if (old && old->generation != next.generation) remove_chunks(p, old->generation);
  return Saved::yes;
}

}  // namespace bylaw::service
