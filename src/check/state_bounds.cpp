#include "state_bounds.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace bylaw::check {

namespace {

// Rough bytes of one kept event per key (runtime/packed_event.hpp): the packed envelope, each
// field by its type, the key, and the hash map's node and two heap blocks.
std::size_t bytes_per_key(const EventTypeDef& type, std::size_t key_fields) {
  std::size_t bytes = 30 + key_fields * 14 + 96;
  for (const auto& field : type.fields) {
    switch (field.type.kind) {
      case TypeKind::id:
      case TypeKind::string:
        bytes += 12;
        break;
      case TypeKind::string_set:
        bytes += 24;
        break;
      case TypeKind::number:
      case TypeKind::time:
      case TypeKind::duration:
        bytes += 9;
        break;
      default:
        bytes += 3;
    }
  }
  return bytes / 10 * 10;
}

bool reads_let(const TExpr& expr, std::uint32_t let) {
  if (expr.kind == TExpr::Kind::let && expr.index == let) return true;
  for (const auto& arg : expr.args) {
    if (reads_let(arg, let)) return true;
  }
  return false;
}

// The clauses of `rule` that read let `let` (directly, or through a let built on it).
std::vector<std::string> readers(const Rule& rule, std::uint32_t let) {
  std::vector<bool> uses(rule.lets.size(), false);
  uses[let] = true;
  for (std::uint32_t i = let + 1; i < rule.lets.size(); ++i) {
    if (rule.lets[i].value) {
      for (std::uint32_t j = 0; j < i; ++j) {
        if (uses[j] && reads_let(*rule.lets[i].value, j)) uses[i] = true;
      }
    }
  }
  auto reads = [&](const TExpr& e) {
    for (std::uint32_t j = 0; j < uses.size(); ++j) {
      if (uses[j] && reads_let(e, j)) return true;
    }
    return false;
  };
  std::vector<std::string> out;
  for (const auto& g : rule.guards) {
    if (reads(g)) out.push_back(fmt::format("where {}", g.text));
  }
  for (const auto& x : rule.exclusions) {
    if (reads(x.condition)) out.push_back(fmt::format("exclude \"{}\"", x.reason));
  }
  for (const auto& c : rule.conditions) {
    if (reads(c)) out.push_back(fmt::format("when {}", c.text));
  }
  for (const auto& action : rule.actions) {
    for (const auto& deny : action.denies) {
      bool read = (deny.condition && reads(*deny.condition)) || (deny.until && reads(*deny.until));
      std::string clause = fmt::format("deny {}", deny.reason);
      if (read && std::find(out.begin(), out.end(), clause) == out.end()) out.push_back(clause);
    }
  }
  if (out.empty()) out.push_back("the rule's actions and messages");
  return out;
}

std::string key_words(const EventTypeDef& type, const Correlation& correlation) {
  std::vector<std::string> names;
  for (auto slot : correlation.key_slots) {
    if (slot == kEnvelopeIdSlot) {
      names.push_back("id");
    } else if (slot == kEnvelopeTimeSlot) {
      names.push_back("time");
    } else {
      names.push_back(type.fields[static_cast<std::size_t>(slot)].name);
    }
  }
  if (names.size() == 1) return names.front();
  return fmt::format("({})", fmt::join(names, ", "));
}

std::optional<std::uint32_t> let_of(const Rule& rule, Let::Source source, std::uint32_t index) {
  for (std::uint32_t i = 0; i < rule.lets.size(); ++i) {
    if (rule.lets[i].source == source && rule.lets[i].index == index) return i;
  }
  return std::nullopt;
}

void warn_latest(const Policy& policy, const Rule& rule, std::uint32_t c,
                 Diagnostics& diagnostics) {
  const Correlation& correlation = rule.correlations[c];
  if (correlation.within || correlation.event_type < 0) return;
  const EventTypeDef& type = policy.schema.types[static_cast<std::size_t>(correlation.event_type)];
  std::optional<std::uint32_t> let = let_of(rule, Let::Source::latest, c);
  if (!let) return;
  diagnostics.warning(
      correlation.span,
      fmt::format("rule '{}' keeps the latest {} per {} without end (about {} bytes each): its "
                  "memory grows with history, not with live accounts",
                  rule.name, type.name, key_words(type, correlation),
                  bytes_per_key(type, correlation.key_slots.size())),
      fmt::format("`within <duration>` on this `latest`; one forgotten would read as absent in: {}",
                  fmt::join(readers(rule, *let), "; ")));
}

void warn_earlier(const Rule& rule, std::uint32_t h, Diagnostics& diagnostics) {
  const HistoryQuery& query = rule.histories[h];
  if (query.within) return;
  std::optional<std::uint32_t> let = let_of(rule, Let::Source::earlier, h);
  if (!let) return;
  diagnostics.warning(
      query.span,
      fmt::format("rule '{}' keeps every {} '{}' decision without end (about 80 bytes each): its "
                  "memory grows with history, not with live accounts",
                  rule.name, decision_kind_name(query.kind), query.name),
      fmt::format("`within <duration>` on this `earlier`; one forgotten would be missing from: {}",
                  fmt::join(readers(rule, *let), "; ")));
}

}  // namespace

void warn_unbounded_state(const Policy& policy, Diagnostics& diagnostics) {
  for (const auto& rule : policy.rules) {
    if (rule.mode == Mode::off) continue;
    for (std::uint32_t c = 0; c < rule.correlations.size(); ++c) {
      warn_latest(policy, rule, c, diagnostics);
    }
    for (std::uint32_t h = 0; h < rule.histories.size(); ++h) warn_earlier(rule, h, diagnostics);
  }
}

}  // namespace bylaw::check
