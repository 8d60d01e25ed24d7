// The affected account's view of a decision: built from a whitelist of the decision's fields,
// in words (dates as dates, durations in words), naming no one else, and revealing nothing that
// rests on a field the schema marks private.
#include <algorithm>

#include <fmt/format.h>

#include "document.hpp"

namespace bylaw::explain {

namespace {

// proposals_blocked -> proposals blocked
std::string words(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

// What the pack calls it, or its name in words.
std::string title_of(const runtime::Decision& d) {
  const std::string& declared = d.explanation.display.name;
  return declared.empty() ? words(d.name) : declared;
}

// "proposals_blocked restriction" in words, or the declared title in quotes.
std::string restriction(const runtime::Decision& d) {
  const std::string& declared = d.explanation.display.name;
  return declared.empty() ? words(d.name) + " restriction"
                          : fmt::format("restriction \"{}\"", declared);
}

bool ended_by_expiry(const runtime::Decision& d) {
  return !d.trigger && d.explanation.timer && d.explanation.timer->name == "hold.expiry";
}

std::string scope_words(const runtime::Decision& d) {
  std::vector<std::string> scope = d.explanation.display.scope;
  if (scope.empty()) {
    for (const auto& s : d.scope) scope.push_back(words(s));
  }
  return listed(scope);
}

std::string what_happened(const runtime::Decision& d) {
  std::string when = format_time_words(d.time);
  switch (d.kind) {
    case check::DecisionKind::hold: {
      std::string scope = scope_words(d);
      std::string a = d.explanation.display.name.empty() ? "A " : "The ";
      return fmt::format("{}{} was placed on your account on {}{}.", a, restriction(d), when,
                         scope.empty() ? std::string() : "; it covers " + scope);
    }
    case check::DecisionKind::release:
      // The hold's own expiry ended it, not anything the account or staff did.
      return fmt::format("The {} on your account {} on {}.", restriction(d),
                         ended_by_expiry(d) ? "ended" : "was lifted", when);
    case check::DecisionKind::alert:
      return fmt::format("{} was recorded on your account on {}.", title_of(d), when);
    case check::DecisionKind::eligibility: {
      std::string name = title_of(d);
      if (!d.trigger) return fmt::format("Your {} window opened on {}.", name, when);
      if (d.eligible) return fmt::format("Your {} request of {} can go ahead.", name, when);
      // "yet" only when it becomes possible later: a closed window stays closed.
      return fmt::format("Your {} request of {} cannot go ahead{}: {}.", name, when,
                         d.eligible_at ? " yet" : "", words(d.reason));
    }
  }
  return {};
}

std::string next_step(const runtime::Decision& d) {
  switch (d.kind) {
    case check::DecisionKind::hold: {
      std::string ends =
          d.expires_at ? fmt::format(" It ends by itself on {}.", format_time_words(*d.expires_at))
                       : std::string();
      if (!d.appeal_eligible_at) return "This restriction cannot be appealed." + ends;
      return fmt::format("You can appeal from {}: file an appeal naming the {} restriction.{}",
                         format_time_words(*d.appeal_eligible_at), d.name, ends);
    }
    case check::DecisionKind::release:
      return "Nothing more is needed.";
    case check::DecisionKind::alert:
      return {};
    case check::DecisionKind::eligibility:
      if (d.eligible) return d.name == "appeal" ? "You can file your appeal now." : "";
      if (d.eligible_at) {
        return fmt::format("It becomes possible on {}.", format_time_words(*d.eligible_at));
      }
      return {};
  }
  return {};
}

bool rests_on_private(const std::vector<runtime::FieldRead>& fields) {
  return std::any_of(fields.begin(), fields.end(), [](const auto& f) { return f.is_private; });
}

// "f.client" -> "clients"
std::string plural_of(const std::string& expression) {
  std::size_t dot = expression.rfind('.');
  return words(expression.substr(dot == std::string::npos ? 0 : dot + 1)) + "s";
}

std::string window_words(const runtime::AggregateTrace& a) {
  std::optional<Duration> window = parse_duration(a.window);
  return fmt::format("the {} up to {}", window ? format_duration_words(*window) : a.window,
                     format_time_words(a.to));
}

std::string count_sentence(const runtime::AggregateTrace& a, const std::string& threshold) {
  std::size_t events = a.counted.size();
  std::string counted;
  if (a.function == "count distinct") {
    counted = fmt::format("{} different {} counted, from {} event{},", a.result, plural_of(a.of),
                          events, events == 1 ? "" : "s");
  } else if (a.function == "sum") {
    counted = fmt::format("A total of {} counted, from {} event{},", a.result, events,
                          events == 1 ? "" : "s");
  } else {
    counted = fmt::format("{} event{} counted", a.result, a.result == "1" ? "" : "s");
  }
  std::string sentence = fmt::format("{} in {}{}", counted, window_words(a), threshold);
  if (!a.left_out.empty()) {
    sentence += fmt::format("; {} other event{} did not count", a.left_out.size(),
                            a.left_out.size() == 1 ? "" : "s");
  }
  return sentence + ".";
}

std::string margin_sentence(const runtime::Trace& t) {
  const runtime::MarginTrace& m = t.margins.front();
  std::string out = fmt::format("With {} fewer counted event{}, the count would have been {}.",
                                m.without.size(), m.without.size() == 1 ? "" : "s", m.would_be);
  if (!m.earliest_leaves_at) return out;
  // When the earliest counted event leaves the window tells its date: not when it is private.
  for (const auto& a : t.aggregates) {
    if (a.name == m.aggregate && !a.counted.empty() && rests_on_private(a.counted.front().fields)) {
      return out;
    }
  }
  return out + fmt::format(
                   " The earliest counted event stops counting on {}; the count would "
                   "then be {}.",
                   format_time_words(*m.earliest_leaves_at), m.then_value);
}

}  // namespace

bool has_subject_view(const runtime::Decision& d) {
  return d.explanation.display.shown_to_account;
}

SubjectView subject_view(const runtime::Decision& d) {
  SubjectView view;
  view.decision_id = d.id;
  view.kind = check::decision_kind_name(d.kind);
  view.name = d.name;
  view.title = title_of(d);
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
    view.counts.push_back(count_sentence(a, threshold));
    for (const auto& c : a.counted) {
      // An event that counted on a private field: its date would let the account tell which
      // one it was, and so what the private field said.
      if (rests_on_private(c.fields)) {
        ++view.dates_withheld;
      } else {
        view.dates.push_back(c.time);
      }
    }
  }
  if (!d.explanation.margins.empty()) view.margin = margin_sentence(d.explanation);
  view.next = next_step(d);
  return view;
}

std::string outcome_text(const runtime::Decision& d) {
  if (d.kind != check::DecisionKind::eligibility) return {};
  return d.eligible ? "eligible" : "not eligible: " + d.reason;
}

namespace {

// " eligible", or nothing: the outcome after a decision's kind and name in one line.
std::string outcome_suffix(const runtime::Decision& d) {
  std::string outcome = outcome_text(d);
  return outcome.empty() ? outcome : " " + outcome;
}

}  // namespace

std::string search_line(const runtime::Decision& d) {
  return fmt::format("{}  {}  {} {}{}  ({}, {})", format_rfc3339(d.time), d.subject,
                     check::decision_kind_name(d.kind), d.name, outcome_suffix(d), d.rule, d.id);
}

std::string history_line(const runtime::Decision& d) {
  return fmt::format("{}  {} {}{}  ({}, {})  {}", format_rfc3339(d.time),
                     check::decision_kind_name(d.kind), d.name, outcome_suffix(d), d.rule, d.id,
                     d.explanation.summary);
}

}  // namespace bylaw::explain
