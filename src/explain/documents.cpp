// What each audience's explanation contains.
#include <fmt/format.h>

#include "document.hpp"

namespace bylaw::explain {

namespace {

TreeNode tree_of(const runtime::ExprTrace& expr) {
  TreeNode node;
  node.text = expr.text;
  if (!expr.evaluated) {
    node.note = "not evaluated";
    node.dim = true;
  } else {
    node.note = "= " + expr.value;
    if (!expr.difference.empty()) node.note += fmt::format("  (difference {})", expr.difference);
  }
  if (expr.evaluated && (expr.value == "true" || expr.value == "false")) node.value = expr.value;
  for (const auto& operand : expr.operands) {
    if (operand.operands.empty() && operand.text == operand.value)
      continue;  // a literal says itself
    node.children.push_back(tree_of(operand));
  }
  return node;
}

// The clause that decided: a denial's true `deny`, else the last clause evaluated.
std::size_t deciding_clause(const runtime::Trace& t) {
  for (std::size_t i = 0; i < t.conditions.size(); ++i) {
    if (t.conditions[i].clause == "deny" && t.conditions[i].result) return i;
  }
  return t.conditions.size() - 1;
}

// "public_rating 2, private_score 3 (private)"
std::string fields_text(const std::vector<runtime::FieldRead>& fields) {
  std::vector<std::string> parts;
  for (const auto& f : fields) {
    parts.push_back(fmt::format("{} {}{}", f.name, f.value, f.is_private ? " (private)" : ""));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// Which timer fired a decision that no event triggered.
std::string timer_cause(const runtime::Decision& d) {
  if (d.explanation.decision) {
    return fmt::format("none (a reaction to {} made by a timer)", d.explanation.decision->name);
  }
  const auto& timer = d.explanation.timer;
  if (!timer || timer->name == "hold.appeal_due") return "none (fired by the appeal timer)";
  if (timer->name == "hold.expiry") return "none (the hold's expiry)";
  return fmt::format("none (fired by the timer {})", timer->name);
}

Fields decision_fields(const runtime::Decision& d) {
  Fields f = {{"id", d.id},
              {"kind", check::decision_kind_name(d.kind)},
              {"name", d.name},
              {"subject", d.subject},
              {"time", format_rfc3339(d.time)},
              {"trigger", d.trigger ? *d.trigger : timer_cause(d)}};
  if (const auto& decision = d.explanation.decision) {
    std::string id;
    for (const auto& [name, value] : decision->fields) {
      if (name == "id") id = value;
    }
    f.push_back({"in reaction to", fmt::format("{} {}", decision->name, id)});
  }
  if (!d.explanation.display.name.empty()) {
    f.push_back({"shown as", d.explanation.display.name});
  }
  switch (d.kind) {
    case check::DecisionKind::hold:
      f.push_back({"appeal eligible at", d.appeal_eligible_at
                                             ? format_rfc3339(*d.appeal_eligible_at)
                                             : std::string("never: not appealable")});
      if (!d.scope.empty()) f.push_back({"scope", fmt::format("{}", fmt::join(d.scope, ", "))});
      if (d.expires_at) f.push_back({"expires at", format_rfc3339(*d.expires_at)});
      break;
    case check::DecisionKind::alert:
      f.push_back({"severity", check::severity_name(d.severity)});
      break;
    case check::DecisionKind::eligibility:
      f.push_back({"eligible", d.eligible ? "yes" : "no"});
      if (!d.eligible) f.push_back({"reason", d.reason});
      if (d.eligible_at) f.push_back({"eligible at", format_rfc3339(*d.eligible_at)});
      break;
    case check::DecisionKind::release:
      break;
  }
  f.push_back(
      {"evidence", d.evidence.empty() ? "none" : fmt::format("{}", fmt::join(d.evidence, ", "))});
  return f;
}

std::vector<std::string> lines_of(const std::string& text, std::uint32_t first,
                                  std::uint32_t last) {
  std::vector<std::string> out;
  std::uint32_t line = 1;
  std::size_t start = 0;
  while (start <= text.size() && line <= last) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (line >= first) out.push_back(text.substr(start, end - start));
    start = end + 1;
    ++line;
  }
  return out;
}

Section rule_section(const runtime::Trace& t, const std::string* source) {
  Section rule{"Rule", {}};
  rule.blocks.push_back(
      Fields{{"rule", t.rule},
             {"mode", t.mode},
             {"source", fmt::format("{} lines {}-{}", t.file, t.first_line, t.last_line)},
             {"policy", t.policy},
             {"policy hash", t.policy_hash}});
  if (source)
    rule.blocks.push_back(
        SourceQuote{t.file, t.first_line, lines_of(*source, t.first_line, t.last_line)});
  return rule;
}

Section correlations_section(const runtime::Trace& t) {
  Section section{"Earlier events looked up", {}};
  Table found{{"lookup", "event", "time", "fields"}, {}, 1};
  for (const auto& c : t.correlations) {
    if (!c.found_id) {
      found.rows.push_back({c.name, "none found", "", ""});
      continue;
    }
    std::vector<std::string> fields;
    for (const auto& [name, value] : c.found_fields) fields.push_back(name + " " + value);
    found.rows.push_back({c.name, *c.found_id, format_rfc3339(*c.found_time),
                          fmt::format("{}", fmt::join(fields, ", "))});
  }
  section.blocks.push_back(std::move(found));
  for (const auto& c : t.correlations) section.blocks.push_back(Fields{{c.name, c.condition}});
  return section;
}

Section conditions_section(const runtime::Trace& t) {
  Section conditions{"Conditions", {}};
  std::size_t decided = deciding_clause(t);
  for (std::size_t i = 0; i < t.conditions.size(); ++i) {
    const runtime::ConditionTrace& c = t.conditions[i];
    TreeNode node = tree_of(c.expr);
    node.value = c.result ? "true" : "false";
    node.decided = i == decided;
    std::string label = c.clause;
    if (c.clause == "exclude") label += fmt::format(" \"{}\"", c.reason);
    if (c.clause == "deny") label += " " + c.reason;
    node.text = label + ": " + node.text;
    node.note = c.result ? "true" : "false";
    if (!c.expr.difference.empty())
      node.note += fmt::format("  (difference {})", c.expr.difference);
    conditions.blocks.push_back(std::move(node));
  }
  return conditions;
}

Section aggregate_section(const runtime::AggregateTrace& a) {
  Section section{fmt::format("Aggregate {}", a.name), {}};
  Fields fields = {{"function", a.function + (a.of.empty() ? "" : " " + a.of)},
                   {"per", fmt::format("{} = {}", a.per, a.key)},
                   {"window", fmt::format("{}: after {}, up to and including {}", a.window,
                                          format_rfc3339(a.from), format_rfc3339(a.to))}};
  if (a.after) fields.push_back({"only after", format_rfc3339(*a.after)});
  fields.push_back({"result", a.result});
  section.blocks.push_back(std::move(fields));
  Table counted{{"counted event", "time", "value", "what the rule read"}, {}, 0};
  for (const auto& c : a.counted) {
    counted.rows.push_back({c.id, format_rfc3339(c.time), c.value, fields_text(c.fields)});
  }
  section.blocks.push_back(fmt::format("Counted: {}", a.counted.size()));
  section.blocks.push_back(std::move(counted));
  section.blocks.push_back(fmt::format("Left out: {}", a.left_out.size()));
  if (!a.left_out.empty()) {
    Table left{{"left-out event", "time", "why", "what the rule read"}, {}, 0};
    for (const auto& l : a.left_out) {
      left.rows.push_back({l.id, format_rfc3339(l.time), l.reason, fields_text(l.fields)});
    }
    section.blocks.push_back(std::move(left));
  }
  return section;
}

Section margins_section(const runtime::Trace& t) {
  Section section{"Margin", {}};
  for (const auto& m : t.margins) {
    section.blocks.push_back(
        Fields{{"condition", m.condition},
               {"value", fmt::format("{} against {}", m.result, m.threshold)}});
    section.blocks.push_back(m.statement + ".");
  }
  return section;
}

// The record's place in the audit chain, and what set a timer's decision off.
Fields record_fields(const PageContext& context) {
  Fields f;
  if (context.seq > 0) {
    f.push_back({"audit record", std::to_string(context.seq)});
    f.push_back({"record hash", context.hash});
  }
  if (!context.started_by.empty()) f.push_back({"timer set by", context.started_by});
  return f;
}

// Event ids link to their rows; the decision that set a timer links to its page.
void add_links(Document& doc, const PageContext& context) {
  for (const auto& section : doc.sections) {
    for (const auto& block : section.blocks) {
      const auto* table = std::get_if<Table>(&block);
      if (!table || table->anchor_column < 0) continue;
      for (const auto& row : table->rows) {
        const std::string& id = row[static_cast<std::size_t>(table->anchor_column)];
        if (id != "none found") doc.links[id] = "#ev-" + id;
      }
    }
  }
  if (!context.started_by.empty() && !context.decision_link.empty()) {
    doc.links[context.started_by] =
        fmt::format(fmt::runtime(context.decision_link), context.started_by);
  }
}

}  // namespace

Document auditor_document(const runtime::Decision& d, const std::string* source,
                          const PageContext& context) {
  const runtime::Trace& t = d.explanation;
  Document doc;
  doc.title = fmt::format("bylaw decision {}: {} {} on {}", d.id, check::decision_kind_name(d.kind),
                          d.name, d.subject);
  doc.sections.push_back({"Decision", {decision_fields(d)}});
  if (Fields place = record_fields(context); !place.empty()) {
    doc.sections.push_back({"Audit record", {std::move(place)}});
  }
  doc.sections.push_back(rule_section(t, source));
  if (!t.parameters.empty()) {
    Fields params;
    for (const auto& p : t.parameters) params.push_back({p.name, p.value});
    doc.sections.push_back({"Parameters", {params}});
  }
  if (!t.correlations.empty()) doc.sections.push_back(correlations_section(t));
  if (!t.conditions.empty()) doc.sections.push_back(conditions_section(t));
  for (const auto& a : t.aggregates) doc.sections.push_back(aggregate_section(a));
  if (!t.margins.empty()) doc.sections.push_back(margins_section(t));
  doc.sections.push_back({"Message to the account", {t.summary}});
  add_links(doc, context);
  return doc;
}

Document subject_document(const SubjectView& v) {
  Document doc;
  doc.title = fmt::format("About your account: {} ({})", v.title, v.kind);
  doc.sections.push_back({"What happened", {v.what}});
  Section why{"Why", {}};
  if (!v.why.empty()) why.blocks.push_back(v.why);
  why.blocks.push_back(fmt::format("This follows rule {} of policy {}.", v.rule, v.policy));
  for (const auto& count : v.counts) why.blocks.push_back(count);
  if (!v.dates.empty()) {
    std::vector<std::string> dates;
    for (auto t : v.dates) dates.push_back(format_time_words(t));
    why.blocks.push_back(fmt::format("The counted events happened on {}.", fmt::join(dates, "; ")));
  }
  if (v.dates_withheld > 0) {
    why.blocks.push_back(fmt::format(
        "{} {}counted event{} rest{} on information the marketplace keeps confidential, so {} "
        "not shown.",
        v.dates_withheld, v.dates.empty() ? "" : "more ", v.dates_withheld == 1 ? "" : "s",
        v.dates_withheld == 1 ? "s" : "",
        v.dates_withheld == 1 ? "its date is" : "their dates are"));
  }
  if (!v.margin.empty()) why.blocks.push_back(v.margin);
  doc.sections.push_back(std::move(why));
  if (!v.next.empty()) doc.sections.push_back({"What you can do", {v.next}});
  doc.sections.push_back(
      {"Reference", {Fields{{"decision", v.decision_id}, {"time", format_time_words(v.time)}}}});
  return doc;
}

}  // namespace bylaw::explain
