#include "bylaw/author/backtest.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bylaw/explain/explain.hpp"
#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/line_reader.hpp"

namespace bylaw::author {

namespace {

// What a decision is about, whichever pack made it: kind, name, subject and cause. Decision ids
// cannot serve, since they include the pack's hash.
std::string identity(const runtime::Decision& d) {
  return fmt::format("{}\n{}\n{}\n{}", check::decision_kind_name(d.kind), d.name, d.subject,
                     d.trigger ? "event:" + *d.trigger : fmt::format("timer:{}", d.time.micros));
}

// What may differ between two decisions about the same thing.
bool same_outcome(const runtime::Decision& a, const runtime::Decision& b) {
  return a.time == b.time && a.eligible == b.eligible && a.reason == b.reason &&
         a.eligible_at == b.eligible_at && a.appeal_eligible_at == b.appeal_eligible_at &&
         a.scope == b.scope && a.expires_at == b.expires_at && a.severity == b.severity;
}

struct Differ {
  const BacktestOptions& options;
  BacktestReport& report;
  // Unmatched decisions by identity; a decision the other side makes later (a timer, a
  // buffered event) may still match, so they wait until the end.
  std::multimap<std::string, runtime::Decision> baseline_waiting;
  std::multimap<std::string, runtime::Decision> candidate_waiting;
  std::map<std::pair<std::string, int>, std::size_t> examples_per_rule;

  void count(Change::Kind kind, const runtime::Decision& d) {
    auto bump = [kind](ChangeCounts& c) {
      (kind == Change::Kind::added     ? c.added
       : kind == Change::Kind::removed ? c.removed
                                       : c.changed)++;
    };
    bump(report.total);
    bump(report.by_rule[d.rule]);
    bump(report.by_name[fmt::format("{} {}", check::decision_kind_name(d.kind), d.name)]);
    bump(report.by_subject[d.subject]);
  }

  void keep_example(Change change) {
    const runtime::Decision& d = change.after ? *change.after : *change.before;
    auto& kept = examples_per_rule[{d.rule, static_cast<int>(change.kind)}];
    if (kept >= options.examples) return;
    ++kept;
    report.examples.push_back(std::move(change));
  }

  // A decision of one side: settled with the other side's decision about the same thing when
  // that one is already waiting, waiting itself otherwise. Either side may come first (a timer,
  // a buffered event), so matching is the same both ways and nothing is scanned twice.
  void offer(bool baseline_side, runtime::Decision d) {
    auto& mine = baseline_side ? baseline_waiting : candidate_waiting;
    auto& theirs = baseline_side ? candidate_waiting : baseline_waiting;
    std::string key = identity(d);
    auto match = theirs.find(key);
    if (match == theirs.end()) {
      mine.emplace(std::move(key), std::move(d));
      return;
    }
    if (baseline_side) {
      settle(std::move(d), std::move(match->second));
    } else {
      settle(std::move(match->second), std::move(d));
    }
    theirs.erase(match);
  }

  void settle(runtime::Decision before, runtime::Decision after) {
    if (same_outcome(before, after)) {
      ++report.unchanged;
      return;
    }
    count(Change::Kind::changed, after);
    keep_example({Change::Kind::changed, std::move(before), std::move(after)});
  }

  void finish() {
    // In decision order (time, then identity), so the examples are the first ones.
    std::vector<std::pair<Change::Kind, runtime::Decision*>> left;
    for (auto& [key, d] : baseline_waiting) left.emplace_back(Change::Kind::removed, &d);
    for (auto& [key, d] : candidate_waiting) left.emplace_back(Change::Kind::added, &d);
    std::stable_sort(left.begin(), left.end(),
                     [](const auto& a, const auto& b) { return a.second->time < b.second->time; });
    for (auto& [kind, d] : left) {
      count(kind, *d);
      if (kind == Change::Kind::added) {
        keep_example({kind, std::nullopt, std::move(*d)});
      } else {
        keep_example({kind, std::move(*d), std::nullopt});
      }
    }
  }
};

// What one pack decides goes straight to the differ.
struct Side : runtime::DecisionSink {
  Differ& differ;
  bool baseline;
  std::uint64_t count = 0;
  Side(Differ& d, bool is_baseline) : differ(d), baseline(is_baseline) {}
  void on_decision(const runtime::Decision& d) override {
    if (d.shadow) return;
    ++count;
    differ.offer(baseline, d);
  }
};

const char* change_name(Change::Kind kind) {
  switch (kind) {
    case Change::Kind::added:
      return "added";
    case Change::Kind::removed:
      return "removed";
    case Change::Kind::changed:
      return "changed";
  }
  return "changed";
}

std::string one_line(const runtime::Decision& d) {
  std::string out = fmt::format("{} {} on {} at {} by {}", check::decision_kind_name(d.kind),
                                d.name, d.subject, format_rfc3339(d.time), d.rule);
  if (d.kind == check::DecisionKind::eligibility) {
    out += d.eligible ? " (eligible)" : fmt::format(" (not eligible: {})", d.reason);
  }
  return out;
}

nlohmann::ordered_json counts_json(const ChangeCounts& c) {
  return {{"added", c.added}, {"removed", c.removed}, {"changed", c.changed}};
}

}  // namespace

BacktestReport backtest(const check::Policy& candidate, const check::Policy& baseline,
                        std::istream& input, const BacktestOptions& options) {
  BacktestReport report;
  report.baseline = fmt::format("{} ({})", baseline.versioned_name(), baseline.hash.substr(0, 12));
  report.candidate =
      fmt::format("{} ({})", candidate.versioned_name(), candidate.hash.substr(0, 12));
  Differ differ{options, report, {}, {}, {}};
  Side old_side(differ, true);
  Side new_side(differ, false);
  auto ignore = [](std::uint64_t, std::string_view, std::string_view, std::string_view) {};
  io::StreamRunner old_runner(baseline, old_side, ignore, options.run);
  io::StreamRunner new_runner(candidate, new_side, ignore, options.run);
  io::LineReader reader(input);
  std::string_view line;
  while (reader.next(line)) {
    old_runner.line(line);
    new_runner.line(line);
    ++report.lines;
    if (options.progress && report.lines % 4096 == 0)
      options.progress(report.lines, reader.consumed());
  }
  old_runner.finish();
  new_runner.finish();
  differ.finish();
  if (options.progress) options.progress(report.lines, reader.consumed());
  report.baseline_decisions = old_side.count;
  report.candidate_decisions = new_side.count;
  return report;
}

std::string render_backtest_text(const BacktestReport& r, std::size_t subjects_shown) {
  std::string out = fmt::format(
      "backtest of {} against {} over {} lines\n"
      "decisions: {} before, {} after; {} unchanged, {} added, {} removed, {} changed\n",
      r.candidate, r.baseline, r.lines, r.baseline_decisions, r.candidate_decisions, r.unchanged,
      r.total.added, r.total.removed, r.total.changed);
  auto table = [&](const char* title, const std::map<std::string, ChangeCounts>& rows) {
    out += fmt::format("\nby {}:\n", title);
    for (const auto& [key, c] : rows) {
      out += fmt::format("  {:<40} +{} -{} ~{}\n", key, c.added, c.removed, c.changed);
    }
  };
  table("rule", r.by_rule);
  table("decision", r.by_name);
  std::vector<std::pair<std::string, ChangeCounts>> subjects(r.by_subject.begin(),
                                                             r.by_subject.end());
  std::stable_sort(subjects.begin(), subjects.end(), [](const auto& a, const auto& b) {
    auto total = [](const ChangeCounts& c) { return c.added + c.removed + c.changed; };
    return total(a.second) > total(b.second);
  });
  out += fmt::format(
      "\nby subject ({} affected{}):\n", subjects.size(),
      subjects.size() > subjects_shown ? fmt::format(", the {} most", subjects_shown) : "");
  for (std::size_t i = 0; i < subjects.size() && i < subjects_shown; ++i) {
    const auto& [key, c] = subjects[i];
    out += fmt::format("  {:<40} +{} -{} ~{}\n", key, c.added, c.removed, c.changed);
  }
  out += "\nexamples:\n";
  for (const auto& change : r.examples) {
    const runtime::Decision& shown = change.after ? *change.after : *change.before;
    out += fmt::format("\n{} {}\n", change_name(change.kind), one_line(shown));
    if (change.kind == Change::Kind::changed)
      out += fmt::format("  was {}\n", one_line(*change.before));
    std::string trace = explain::render_text(shown, explain::Audience::auditor, nullptr);
    std::size_t begin = 0;
    while (begin < trace.size()) {
      std::size_t end = trace.find('\n', begin);
      if (end == std::string::npos) end = trace.size();
      out += "    " + trace.substr(begin, end - begin) + "\n";
      begin = end + 1;
    }
  }
  return out;
}

std::string render_backtest_json(const BacktestReport& r) {
  nlohmann::ordered_json out;
  out["baseline"] = r.baseline;
  out["candidate"] = r.candidate;
  out["lines"] = r.lines;
  out["decisions"] = {{"baseline", r.baseline_decisions},
                      {"candidate", r.candidate_decisions},
                      {"unchanged", r.unchanged}};
  out["total"] = counts_json(r.total);
  for (const auto& [key, c] : r.by_rule) out["by_rule"][key] = counts_json(c);
  for (const auto& [key, c] : r.by_name) out["by_decision"][key] = counts_json(c);
  for (const auto& [key, c] : r.by_subject) out["by_subject"][key] = counts_json(c);
  nlohmann::ordered_json examples = nlohmann::ordered_json::array();
  for (const auto& change : r.examples) {
    nlohmann::ordered_json e;
    e["change"] = change_name(change.kind);
    if (change.before)
      e["before"] = nlohmann::ordered_json::parse(io::encode_decision(*change.before));
    if (change.after)
      e["after"] = nlohmann::ordered_json::parse(io::encode_decision(*change.after));
    examples.push_back(std::move(e));
  }
  out["examples"] = std::move(examples);
  return out.dump();
}

}  // namespace bylaw::author
