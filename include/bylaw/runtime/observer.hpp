// What evaluation reports, clause by clause, to whoever measures it (`bylaw test --coverage`
// counts it in author/). An engine without an observer pays one null test per clause.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bylaw/core/source.hpp"

namespace bylaw::runtime {

class ClauseObserver {
 public:
  virtual ~ClauseObserver() = default;
  // The rule's `where` number `guard` held.
  virtual void guard_held(std::uint32_t rule, std::size_t guard) = 0;
  // The rule's `exclude` number `exclusion` left the event out.
  virtual void excluded(std::uint32_t rule, std::size_t exclusion) = 0;
  // The rule's `when` number `condition` held.
  virtual void condition_held(std::uint32_t rule, std::size_t condition) = 0;
  // Action number `action` took outcome `outcome`: for an eligibility each `deny` in order, then
  // `allow`; for any other action 0 (it acted).
  virtual void outcome_taken(std::uint32_t rule, std::size_t action, std::size_t outcome) = 0;
  // The `or` at `where` was made true by its left side (0) or, the left being false, its right (1).
  virtual void or_side_taken(std::uint32_t rule, const Span& where, int side) = 0;
};

}  // namespace bylaw::runtime
