// Where a durable run's decisions, rejects and shadow decisions go: a file or standard output
// (OutputFile, in io), or a broker (bylaw serve's NATS JetStream publisher, in service).
// Bytes reach an output only after the checkpoint that made them committed; an output that
// can be cut back is cut to the committed length on resume, any other is told the last
// checkpoint's bytes again unless they were known to be delivered.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bylaw::io {

class RunOutput {
 public:
  virtual ~RunOutput() = default;

  virtual const std::string& name() const = 0;
  // A regular file: it can be measured, cut back and synced.
  virtual bool can_cut() const = 0;
  virtual std::uint64_t size() const = 0;
  virtual void cut_to(std::uint64_t length) = 0;
  // Delivers all of `bytes` (JSON Lines) before it returns; throws std::runtime_error when it
  // cannot, DeliveryStopped when a stop was asked for before it could.
  virtual void append(std::string_view bytes) = 0;
  // To disk (a regular file), so that a later checkpoint may count on these bytes.
  virtual void sync() = 0;
};

// A stop came while an output waited to deliver (a broker that is down): the checkpoint stays
// committed but not delivered, and the next start delivers its bytes again.
class DeliveryStopped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bylaw::io
