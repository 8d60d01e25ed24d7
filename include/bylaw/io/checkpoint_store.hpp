// Where `bylaw run --store` keeps its one checkpoint: a table of the audit store, written in the
// same transaction as the audit records of the decisions it covers, so that both commit or
// neither does.
#pragma once

#include <optional>

#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/checkpoint.hpp"

namespace bylaw::io {

class CheckpointStore {
 public:
  // Uses the audit store's connection and transaction; `audit` must outlive this. From now on the
  // audit store commits only when a checkpoint does. One writer per store: a store another run
  // holds is refused (std::runtime_error saying so); readers (explain, audit) are not affected.
  explicit CheckpointStore(AuditStore& audit);
  ~CheckpointStore();
  CheckpointStore(const CheckpointStore&) = delete;
  CheckpointStore& operator=(const CheckpointStore&) = delete;

  // Replaces the one checkpoint and commits, together with every record added since the last
  // commit.
  void save(const Checkpoint& checkpoint);
  std::optional<Checkpoint> load() const;
  // The pending bytes reached an output that cannot be cut back (standard output).
  void mark_delivered();
  void clear();

 private:
  AuditStore& audit_;
  int lock_fd_ = -1;  // holds the store's writer lock (flock) while this lives
};

}  // namespace bylaw::io
