// One row of the audit store's `records` table and the hash that chains it: shared by the
// writer (audit_store.cpp) and the checks (audit_verify.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace bylaw::io {

inline const std::string kGenesisHash(64, '0');

struct AuditRecord {
  std::int64_t seq = 0;
  std::string kind;  // 'policy', or the decision's kind
  std::string key;   // the policy hash or the decision id
  std::string subject, rule, name, time;
  std::int64_t time_us = 0;  // `time` parsed: the order and ranges of searches
  std::string body;
  std::string prev_hash;
  std::string hash;
};

// SHA-256 over every column but `hash`, each written as <length>:<bytes> so that no two
// different rows hash the same bytes.
std::string record_hash(const AuditRecord& record);

}  // namespace bylaw::io
