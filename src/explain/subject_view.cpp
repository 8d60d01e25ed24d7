#include <fmt/format.h>

#include "bylaw/explain/explain.hpp"

namespace bylaw::explain {

namespace {

std::string what_happened(const runtime::Decision& d) {
  std::string when = format_rfc3339(d.time);
  switch (d.kind) {
    case check::DecisionKind::hold:
      return fmt::format("A {} restriction was placed on {} at {}{}.", d.name, d.subject, when,
                         d.scope.empty() ? std::string()
                                         : fmt::format("; it covers {}", fmt::join(d.scope, ", ")));
    case check::DecisionKind::release:
      return fmt::format("The {} restriction on {} was lifted at {}.", d.name, d.subject, when);
    case check::DecisionKind::alert:
      return fmt::format("{} was flagged for review by trust and safety ({}, {} severity) at {}.",
                         d.subject, d.name, check::severity_name(d.severity), when);
    case check::DecisionKind::eligibility:
      if (!d.trigger)
        return fmt::format("The {} window for {} opened at {}.", d.name, d.subject, when);
      if (d.eligible)
        return fmt::format("The {} request for {} can go ahead ({}).", d.name, d.subject, when);
      return fmt::format("The {} request for {} cannot go ahead yet: {} ({}).", d.name, d.subject,
                         d.reason, when);
  }
  return {};
}

std::string next_step(const runtime::Decision& d) {
  switch (d.kind) {
    case check::DecisionKind::hold:
      if (d.appeal_eligible_at) {
        return fmt::format("You can appeal from {}: file an appeal naming the {} restriction.",
                           format_rfc3339(*d.appeal_eligible_at), d.name);
      }
      return {};
    case check::DecisionKind::release:
      return "Nothing more is needed.";
    case check::DecisionKind::alert:
      return "Trust and safety staff will review it.";
    case check::DecisionKind::eligibility:
      if (d.eligible) return d.name == "appeal" ? "You can file your appeal now." : "";
      if (d.eligible_at)
        return fmt::format("It becomes possible at {}.", format_rfc3339(*d.eligible_at));
      return {};
  }
  return {};
}

}  // namespace

SubjectView subject_view(const runtime::Decision& d) {
  SubjectView view;
  view.decision_id = d.id;
  view.kind = check::decision_kind_name(d.kind);
  view.name = d.name;
  view.subject = d.subject;
  view.time = d.time;
  view.what = what_happened(d);
  view.why = d.explanation.summary;
  view.rule = d.rule;
  view.policy = d.policy;
  for (const auto& a : d.explanation.aggregates) {
    std::string threshold;
    for (const auto& m : d.explanation.margins) {
      if (m.aggregate == a.name) threshold = fmt::format(" (the threshold is {})", m.threshold);
    }
    view.counts.push_back(fmt::format(
        "{} counted in the {} from {} to {}{}{}.", a.result, a.window, format_rfc3339(a.from),
        format_rfc3339(a.to), threshold,
        a.left_out.empty() ? std::string() : fmt::format("; {} not counted", a.left_out.size())));
    for (const auto& c : a.counted) view.dates.push_back(c.time);
  }
  if (!d.explanation.margins.empty()) {
    const runtime::MarginTrace& m = d.explanation.margins.front();
    view.margin =
        fmt::format("Without the {} most recent counted event{}, the count would have been {}.",
                    m.without.size(), m.without.size() == 1 ? "" : "s", m.would_be);
    if (m.earliest_leaves_at) {
      view.margin += fmt::format(
          " The earliest counted event stops counting at {}; the count "
          "would then be {}.",
          format_rfc3339(*m.earliest_leaves_at), m.then_value);
    }
  }
  view.next = next_step(d);
  return view;
}

std::string history_line(const runtime::Decision& d) {
  std::string outcome;
  if (d.kind == check::DecisionKind::eligibility) {
    outcome = d.eligible ? " eligible" : fmt::format(" not eligible: {}", d.reason);
  }
  return fmt::format("{}  {} {}{}  ({}, {})  {}", format_rfc3339(d.time),
                     check::decision_kind_name(d.kind), d.name, outcome, d.rule, d.id,
                     d.explanation.summary);
}

}  // namespace bylaw::explain
