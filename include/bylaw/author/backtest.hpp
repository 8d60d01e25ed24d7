// `bylaw backtest`: what a policy change would do to real history. Both packs run over the same
// stream in one pass; their decisions are matched by what they decide about (kind, name,
// subject, and the event or timer that caused it) and compared.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "bylaw/check/policy.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "bylaw/runtime/decision.hpp"

namespace bylaw::author {

struct BacktestOptions {
  io::RunOptions run;        // lateness, horizon, caps: the same for both packs
  std::size_t examples = 3;  // kept per kind of change and per rule
  // Called every so many lines with the lines and bytes read so far (a progress bar).
  using Progress = std::function<void(std::uint64_t lines, std::uint64_t bytes)>;
  Progress progress;
};

// One side of a difference: the decision as the baseline or the new pack made it.
struct Change {
  enum class Kind { added, removed, changed };
  Kind kind = Kind::added;
  std::optional<runtime::Decision> before;  // removed, changed
  std::optional<runtime::Decision> after;   // added, changed
};

struct ChangeCounts {
  std::uint64_t added = 0;
  std::uint64_t removed = 0;
  std::uint64_t changed = 0;
};

struct BacktestReport {
  std::string baseline;  // name@version (hash)
  std::string candidate;
  std::uint64_t lines = 0;
  std::uint64_t baseline_decisions = 0;
  std::uint64_t candidate_decisions = 0;
  std::uint64_t unchanged = 0;
  ChangeCounts total;
  std::map<std::string, ChangeCounts> by_rule;     // the rule that made it (the new one's, if any)
  std::map<std::string, ChangeCounts> by_name;     // "hold proposals_blocked"
  std::map<std::string, ChangeCounts> by_subject;  // the account or contract
  // The first few changes of each kind, per rule, with the decisions and their traces.
  std::vector<Change> examples;
};

BacktestReport backtest(const check::Policy& candidate, const check::Policy& baseline,
                        std::istream& input, const BacktestOptions& options);

std::string render_backtest_text(const BacktestReport& report, std::size_t subjects_shown);
std::string render_backtest_json(const BacktestReport& report);

}  // namespace bylaw::author
