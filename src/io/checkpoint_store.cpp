#include "bylaw/io/checkpoint_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "sqlite.hpp"

namespace bylaw::io {

namespace {

const char* kCheckpointTable = R"sql(
CREATE TABLE IF NOT EXISTS checkpoint (
  id              INTEGER PRIMARY KEY CHECK (id = 1),  -- one checkpoint: the latest
  policy_hash     TEXT NOT NULL,
  policy_name     TEXT NOT NULL,
  input_offset    INTEGER NOT NULL,
  last_line_start INTEGER NOT NULL,
  last_line_hash  TEXT NOT NULL,
  output_length   INTEGER NOT NULL,
  rejects_length  INTEGER NOT NULL,
  shadow_length   INTEGER NOT NULL,
  pending_output  BLOB NOT NULL,
  pending_rejects BLOB NOT NULL,
  pending_shadow  BLOB NOT NULL,
  delivered       INTEGER NOT NULL,
  finished        INTEGER NOT NULL,
  state           BLOB NOT NULL,
  state_hash      TEXT NOT NULL
);
)sql";

}  // namespace

CheckpointStore::CheckpointStore(AuditStore& audit) : audit_(audit) {
  // An advisory lock of our own: SQLite's locks last one transaction, and two runs taking turns
  // at one store would each resume the other's checkpoint.
  lock_fd_ = ::open(audit_.path().c_str(), O_RDONLY | O_CLOEXEC);
  if (lock_fd_ >= 0 && flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw std::runtime_error(fmt::format(
          "the store '{}' is in use by another bylaw run or serve: a store has one writer at a "
          "time (wait for it to end, or give this run another store)",
          audit_.path()));
    }
  }
  exec(audit_.db_, kCheckpointTable);
  audit_.batch_ = UINT64_MAX;  // commit with the checkpoints only
}

void CheckpointStore::save(const Checkpoint& c) {
  audit_.begin_if_needed();
  Statement save(audit_.db_,
                 "INSERT OR REPLACE INTO checkpoint(id, policy_hash, policy_name, input_offset, "
                 "last_line_start, last_line_hash, output_length, rejects_length, "
                 "shadow_length, pending_output, pending_rejects, pending_shadow, delivered, "
                 "finished, state, state_hash) "
                 "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  auto integer = [](std::uint64_t n) { return static_cast<std::int64_t>(n); };
  save.bind(1, c.policy_hash).bind(2, c.policy_name);
  save.bind_integer(3, integer(c.input_offset)).bind_integer(4, integer(c.last_line_start));
  save.bind(5, c.last_line_hash);
  save.bind_integer(6, integer(c.decisions.length)).bind_integer(7, integer(c.rejects.length));
  save.bind_integer(8, integer(c.shadow.length));
  save.bind_blob(9, c.decisions.pending).bind_blob(10, c.rejects.pending);
  save.bind_blob(11, c.shadow.pending);
  save.bind_integer(12, c.delivered).bind_integer(13, c.finished);
  save.bind_blob(14, c.state).bind(15, c.state_hash);
  save.step();
  audit_.commit();
}

CheckpointStore::~CheckpointStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the lock
}

std::optional<Checkpoint> CheckpointStore::load() const {
  Statement load(audit_.db_,
                 "SELECT policy_hash, policy_name, input_offset, last_line_start, "
                 "last_line_hash, output_length, rejects_length, shadow_length, pending_output, "
                 "pending_rejects, pending_shadow, delivered, finished, state, state_hash "
                 "FROM checkpoint");
  if (!load.step()) return std::nullopt;
  Checkpoint c;
  auto count = [&](int column) { return static_cast<std::uint64_t>(load.integer(column)); };
  c.policy_hash = load.text(0);
  c.policy_name = load.text(1);
  c.input_offset = count(2);
  c.last_line_start = count(3);
  c.last_line_hash = load.text(4);
  c.decisions.length = count(5);
  c.rejects.length = count(6);
  c.shadow.length = count(7);
  c.decisions.pending = load.blob(8);
  c.rejects.pending = load.blob(9);
  c.shadow.pending = load.blob(10);
  c.delivered = load.integer(11) != 0;
  c.finished = load.integer(12) != 0;
  c.state = load.blob(13);
  c.state_hash = load.text(14);
  return c;
}

void CheckpointStore::mark_delivered() {
  audit_.begin_if_needed();
  exec(audit_.db_, "UPDATE checkpoint SET delivered = 1");
  audit_.commit();
}

void CheckpointStore::clear() {
  audit_.begin_if_needed();
  exec(audit_.db_, "DELETE FROM checkpoint");
  audit_.commit();
}

}  // namespace bylaw::io
