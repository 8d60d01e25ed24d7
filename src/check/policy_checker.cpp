// The checker's top level: declarations across files, the schema, parameters, the pack.

#include <map>

#include <fmt/format.h>

#include "bylaw/check/checker.hpp"
#include "bylaw/core/sha256.hpp"
#include "context.hpp"
#include "declarations.hpp"
#include "expr_checker.hpp"
#include "loader.hpp"
#include "rule_checker.hpp"
#include "rule_order.hpp"
#include "state_bounds.hpp"

namespace bylaw::check {

namespace {

class PolicyChecker {
 public:
  PolicyChecker(const std::vector<syntax::File>& files, const SourceSet& sources,
                Diagnostics& diagnostics)
      : files_(files), context_{diagnostics, sources, policy_, {}, {}, {}, {}, {}, {}, {}} {}

  Policy run() {
    check_pack_declaration();
    build_schema();
    declare_params();
    apply_pack_settings();
    check_declarations(files_, context_);
    context_.defs.declare(files_, context_);
    collect_outputs();
    check_rules();
    check_unused_defs();
    warn_undecided_declarations();
    apply_modes();
    warn_history_of_off_rules();
    link_reactions(policy_, diagnostics());
    order_rules(policy_, diagnostics());
    if (!diagnostics().has_errors()) warn_unbounded_state(policy_, diagnostics());
    warn_unused_params();
    policy_.hash = content_hash();
    return std::move(policy_);
  }

 private:
  Diagnostics& diagnostics() { return context_.diagnostics; }

  void duplicate(const syntax::Ident& name, Span first, const char* what) {
    diagnostics().error(name.span, fmt::format("duplicate {} '{}'", what, name.name),
                        fmt::format("another name: each {} is declared once", what));
    diagnostics().note(first, fmt::format("'{}' was first declared here", name.name));
  }

  // ------------------------------------------------------------ the pack

  void check_pack_declaration() {
    const syntax::File& pack = files_.front();
    policy_.pack_file = pack.id;
    for (std::size_t i = 1; i < files_.size(); ++i) {
      for (const auto& other : files_[i].policies) {
        diagnostics().error(other.name.span,
                            fmt::format("policy '{}' is declared in a used file", other.name.name),
                            "a policy only in the pack given to --policy");
      }
    }
    if (pack.policies.empty()) {
      bool parsed_cleanly = true;
      for (const auto& d : diagnostics().all()) {
        if (d.span.file == pack.id) parsed_cleanly = false;
      }
      if (parsed_cleanly) {
        diagnostics().error(Span{pack.id, 0, 0},
                            fmt::format("'{}' is not a policy pack: it declares no policy",
                                        context_.sources.file(pack.id).path()),
                            "policy <name> version \"<version>\" { use \"...\" }");
      }
      return;
    }
    for (std::size_t i = 1; i < pack.policies.size(); ++i) {
      diagnostics().error(pack.policies[i].name.span, "a pack declares one policy",
                          "one `policy` declaration per pack file");
    }
    policy_.name = pack.policies.front().name.name;
    policy_.version = pack.policies.front().version.value;
    if (policy_.version.empty()) {
      diagnostics().error(pack.policies.front().version.span, "the policy version is empty",
                          "a version such as \"2026.11\"");
    }
  }

  // ------------------------------------------------------------ types

  std::optional<Type> resolve_type(const syntax::TypeRef& ref) {
    static const std::map<std::string, TypeKind> kScalars = {{"id", TypeKind::id},
                                                             {"string", TypeKind::string},
                                                             {"int", TypeKind::integer},
                                                             {"number", TypeKind::number},
                                                             {"bool", TypeKind::boolean},
                                                             {"time", TypeKind::time},
                                                             {"duration", TypeKind::duration}};
    const std::string& base = ref.base.name;
    Type type;
    if (auto it = kScalars.find(base); it != kScalars.end()) {
      type = Type::of(it->second);
    } else if (base == "enum") {
      if (ref.enum_values.empty()) {
        diagnostics().error(ref.base.span, "an enum needs its values", "enum(value, other_value)");
        return std::nullopt;
      }
      auto values = std::make_shared<EnumType>();
      for (const auto& value : ref.enum_values) {
        if (values->find(value.name) >= 0) {
          diagnostics().error(value.span, fmt::format("duplicate enum value '{}'", value.name),
                              "each value once");
          continue;
        }
        values->values.push_back(value.name);
      }
      type = Type::of(TypeKind::enumeration);
      type.enumeration = std::move(values);
    } else if (base == "set") {
      if (!ref.element || ref.element->name != "string") {
        diagnostics().error(ref.element ? ref.element->span : ref.base.span,
                            "sets hold strings only", "set<string>");
        return std::nullopt;
      }
      type = Type::of(TypeKind::string_set);
    } else {
      std::vector<std::string> names = {"id",   "string",   "int",       "number",     "bool",
                                        "time", "duration", "enum(...)", "set<string>"};
      std::string expected = suggestion(base, names);
      diagnostics().error(ref.base.span, fmt::format("unknown type '{}'", base),
                          expected.empty() ? one_of(names) : expected);
      return std::nullopt;
    }
    if (base != "enum" && !ref.enum_values.empty()) {
      diagnostics().error(ref.enum_values.front().span,
                          fmt::format("only enum takes values in parentheses, not {}", base),
                          "enum(a, b)");
    }
    type.optional = ref.optional;
    return type;
  }

  // `in 1..5`: only for int fields.
  void resolve_range(const syntax::TypeRef& ref, const Type& type, FieldDef& field) {
    if (!ref.range_low) return;
    if (type.kind != TypeKind::integer) {
      diagnostics().error(
          (*ref.range_low)->span,
          fmt::format("a range needs an int field, not {}", context_.type_name(type)),
          "an int field such as `rating: int in 1..5`");
      return;
    }
    Type integer = Type::of(TypeKind::integer);
    auto low = literal_value(**ref.range_low, integer, context_, "the range's lower bound");
    auto high = literal_value(**ref.range_high, integer, context_, "the range's upper bound");
    if (!low || !high) return;
    field.min = std::get<std::int64_t>(*low);
    field.max = std::get<std::int64_t>(*high);
    if (*field.min > *field.max) {
      diagnostics().error((*ref.range_low)->span,
                          fmt::format("empty range {}..{}", *field.min, *field.max),
                          "a lower bound at or below the upper bound");
    }
  }

  void build_schema() {
    std::map<std::string, Span> declared;
    for (const auto& file : files_) {
      for (const auto& event : file.events) {
        if (auto it = declared.find(event.name.name); it != declared.end()) {
          duplicate(event.name, it->second, "event type");
          continue;
        }
        declared[event.name.name] = event.name.span;
        EventTypeDef def;
        def.name = event.name.name;
        def.span = event.span;
        std::map<std::string, Span> fields;
        for (const auto& field : event.fields) {
          if (field.name.name == "id" || field.name.name == "time") {
            diagnostics().error(
                field.name.span,
                fmt::format("'{}' is an envelope attribute: every event has it", field.name.name),
                "a field name other than id and time");
            continue;
          }
          if (auto it = fields.find(field.name.name); it != fields.end()) {
            duplicate(field.name, it->second, "field");
            continue;
          }
          fields[field.name.name] = field.name.span;
          auto type = resolve_type(field.type);
          if (!type) continue;
          FieldDef def_field;
          def_field.name = field.name.name;
          def_field.type = *type;
          def_field.span = field.span;
          def_field.is_private = field.is_private;
          def_field.slot = static_cast<std::int32_t>(def.fields.size());
          resolve_range(field.type, *type, def_field);
          def.fields.push_back(std::move(def_field));
        }
        policy_.schema.types.push_back(std::move(def));
      }
    }
    // The engine's own timer, declared here so rules can name it like an event type.
    EventTypeDef timer;
    timer.name = std::string(kAppealDueTimer);
    timer.timer = true;
    timer.fields.push_back({"hold", Type::of(TypeKind::string), {}, {}, 0, {}});
    timer.fields.push_back({"subject", Type::of(TypeKind::id), {}, {}, 1, {}});
    policy_.schema.types.push_back(std::move(timer));
    context_.record_names = policy_.schema.names();
  }

  // ------------------------------------------------------------ parameters

  void declare_params() {
    std::map<std::string, Span> declared;
    for (const auto& file : files_) {
      for (const auto& decl : file.params) {
        if (auto it = declared.find(decl.name.name); it != declared.end()) {
          duplicate(decl.name, it->second, "parameter");
          continue;
        }
        declared[decl.name.name] = decl.name.span;
        auto type = resolve_type(decl.type);
        Param param;
        param.name = decl.name.name;
        param.span = decl.name.span;
        param.type = type.value_or(Type::of(TypeKind::error));
        param.value = Absent{};
        if (decl.default_value && type) {
          auto value = literal_value(*decl.default_value, *type, context_,
                                     fmt::format("parameter '{}'", param.name));
          if (value) param.value = std::move(*value);
        }
        has_value_.push_back(decl.default_value != nullptr);
        policy_.params.push_back(std::move(param));
      }
    }
    context_.param_used.assign(policy_.params.size(), false);
  }

  void apply_pack_settings() {
    if (files_.front().policies.empty()) return;
    std::map<std::string, Span> set_at;
    for (const auto& item : files_.front().policies.front().sets) {
      std::optional<std::size_t> index = policy_.find_param(item.name.name);
      if (!index) {
        std::vector<std::string> names;
        for (const auto& p : policy_.params) names.push_back(p.name);
        std::string expected = suggestion(item.name.name, names);
        if (expected.empty()) {
          expected = names.empty() ? std::string("a parameter declared with `param` in a rule file")
                                   : one_of(names);
        }
        diagnostics().error(item.name.span, fmt::format("undefined parameter '{}'", item.name.name),
                            expected);
        continue;
      }
      if (auto it = set_at.find(item.name.name); it != set_at.end()) {
        diagnostics().error(item.name.span,
                            fmt::format("parameter '{}' is set twice", item.name.name),
                            "one `set` per parameter");
        diagnostics().note(it->second, "first set here");
        continue;
      }
      set_at[item.name.name] = item.name.span;
      Param& param = policy_.params[*index];
      has_value_[*index] = true;
      if (param.type.is_error()) continue;
      auto value = literal_value(*item.value, param.type, context_,
                                 fmt::format("parameter '{}'", param.name));
      if (value) {
        param.value = std::move(*value);
        param.set_at = item.value->span;
      }
    }
    for (std::size_t i = 0; i < policy_.params.size(); ++i) {
      if (!has_value_[i]) {
        diagnostics().error(policy_.params[i].span,
                            fmt::format("parameter '{}' has no value", policy_.params[i].name),
                            "a default (`= ...`) or a `set` in the pack");
      }
    }
  }

  void warn_unused_params() {
    for (std::size_t i = 0; i < policy_.params.size(); ++i) {
      if (context_.param_used[i]) continue;
      diagnostics().warning(policy_.params[i].span,
                            fmt::format("parameter '{}' is never used", policy_.params[i].name),
                            "a rule that uses it, or no parameter");
    }
  }

  // ------------------------------------------------------------ rules

  // The names of holds, alerts and eligibility answers, before any rule body is checked.
  void collect_outputs() {
    for (const auto& file : files_) {
      for (const auto& rule : file.rules) {
        for (const auto& action : rule.actions) {
          if (!action.name || action.name->kind != syntax::ExprKind::name) continue;
          if (action.kind == ActionKind::hold) context_.hold_names.insert(action.name->text);
          if (action.kind == ActionKind::alert) context_.alert_names.insert(action.name->text);
          if (action.kind == ActionKind::eligibility) {
            context_.eligibility_names.insert(action.name->text);
          }
          if (action.kind == ActionKind::schedule) add_timer_type(*action.name);
        }
        if (rule.trigger.decision_kind) add_decision_type(rule.trigger);
      }
    }
    context_.record_names = policy_.schema.names();
  }

  // `on decision hold proposals_blocked as d`: the decisions of that kind and name are a type a
  // rule can be triggered by, raised as each is made, with the decision's fields.
  void add_decision_type(const syntax::Trigger& trigger) {
    const syntax::Ident& word = *trigger.decision_kind;
    static const std::map<std::string, DecisionKind> kKinds = {
        {"hold", DecisionKind::hold},
        {"release", DecisionKind::release},
        {"alert", DecisionKind::alert},
        {"eligibility", DecisionKind::eligibility}};
    auto kind = kKinds.find(word.name);
    if (kind == kKinds.end()) {
      std::string expected = suggestion(word.name, {"hold", "release", "alert", "eligibility"});
      diagnostics().error(word.span, fmt::format("unknown decision kind '{}'", word.name),
                          expected.empty() ? "hold, release, alert or eligibility" : expected);
      return;
    }
    std::string name = decision_type_name(kind->second, trigger.type.name);
    if (policy_.schema.find(name) >= 0) return;
    policy_.schema.types.push_back(decision_type(kind->second, trigger.type.name, name));
  }

  // An author's timer is a type a rule can be triggered by (`on timer lapse as t`), raised by the
  // engine's clock with the subject it was set for and when it was set.
  void add_timer_type(const syntax::Expr& name) {
    if (!context_.timer_names.insert(name.text).second) return;
    if (policy_.schema.find(name.text) >= 0) {
      diagnostics().error(name.span,
                          fmt::format("timer '{}' has the name of an event type", name.text),
                          "another name for the timer");
      return;
    }
    EventTypeDef timer;
    timer.name = name.text;
    timer.timer = true;
    timer.fields.push_back({"subject", Type::of(TypeKind::id), {}, {}, 0, {}});
    timer.fields.push_back({"set_at", Type::of(TypeKind::time), {}, {}, 1, {}});
    policy_.schema.types.push_back(std::move(timer));
  }

  // Every def is checked, used or not: its errors are the author's to know. After an error a
  // rule that uses it may not have been read: no "never used" then.
  void check_unused_defs() {
    if (!diagnostics().has_errors()) context_.defs.warn_unused(context_);
    for (const auto& name : context_.defs.names()) context_.defs.find(name, context_);
  }

  // A declaration no rule acts on is most likely a misspelt name on one side.
  void warn_undecided_declarations() {
    for (const auto& hold : policy_.holds) {
      if (context_.hold_names.count(hold.name)) continue;
      diagnostics().warning(hold.span,
                            fmt::format("hold '{}' is declared but no rule places it", hold.name),
                            "a rule with `hold " + hold.name + " on ...`, or no declaration");
    }
    for (const auto& outcome : policy_.outcomes) {
      bool alert = outcome.kind == DecisionKind::alert;
      const auto& made = alert ? context_.alert_names : context_.eligibility_names;
      if (made.count(outcome.name)) continue;
      const char* kind = alert ? "alert" : "eligibility";
      diagnostics().warning(
          outcome.span,
          fmt::format("{} '{}' is declared but no rule decides it", kind, outcome.name),
          fmt::format("a rule with `{} {} on ...`, or no declaration", kind, outcome.name));
    }
  }

  static EventTypeDef decision_type(DecisionKind kind, const std::string& decision,
                                    std::string name) {
    EventTypeDef type;
    type.name = std::move(name);
    type.decision = kind;
    type.decision_name = decision;
    auto add = [&type](const char* field, Type field_type) {
      FieldDef def;
      def.name = field;
      def.type = std::move(field_type);
      def.slot = static_cast<std::int32_t>(type.fields.size());
      type.fields.push_back(std::move(def));
    };
    add("subject", Type::of(TypeKind::id));
    add("rule", Type::of(TypeKind::string));
    add("trigger", Type::of(TypeKind::id).with_optional(true));  // absent: made by a timer
    switch (kind) {
      case DecisionKind::hold:
        add("appeal_eligible_at", Type::of(TypeKind::time).with_optional(true));
        add("expires_at", Type::of(TypeKind::time).with_optional(true));
        add("scope", Type::of(TypeKind::string_set));
        break;
      case DecisionKind::release:
        break;
      case DecisionKind::alert: {
        Type severity = Type::of(TypeKind::enumeration);
        auto values = std::make_shared<EnumType>();
        values->values = {"low", "medium", "high"};
        severity.enumeration = std::move(values);
        add("severity", std::move(severity));
        break;
      }
      case DecisionKind::eligibility:
        add("eligible", Type::of(TypeKind::boolean));
        add("reason", Type::of(TypeKind::string).with_optional(true));
        add("eligible_at", Type::of(TypeKind::time).with_optional(true));
        break;
    }
    return type;
  }

  void check_rules() {
    std::map<std::string, Span> declared;
    for (const auto& file : files_) {
      for (const auto& decl : file.rules) {
        if (auto it = declared.find(decl.name.name); it != declared.end()) {
          duplicate(decl.name, it->second, "rule");
          continue;
        }
        declared[decl.name.name] = decl.name.span;
        policy_.rules.push_back(check_rule(decl, context_));
      }
    }
  }

  void apply_modes() {
    if (files_.front().policies.empty()) return;
    std::map<std::string, Span> set_at;
    for (const auto& item : files_.front().policies.front().modes) {
      std::optional<std::size_t> index = policy_.find_rule(item.rule.name);
      if (!index) {
        std::vector<std::string> names;
        for (const auto& r : policy_.rules) names.push_back(r.name);
        std::string expected = suggestion(item.rule.name, names);
        diagnostics().error(item.rule.span, fmt::format("undefined rule '{}'", item.rule.name),
                            expected.empty() ? one_of(names) : expected);
        continue;
      }
      if (auto it = set_at.find(item.rule.name); it != set_at.end()) {
        diagnostics().error(item.rule.span,
                            fmt::format("the mode of rule '{}' is set twice", item.rule.name),
                            "one mode per rule");
        diagnostics().note(it->second, "first set here");
        continue;
      }
      set_at[item.rule.name] = item.rule.span;
      Mode mode;
      if (item.mode.name == "enforce") {
        mode = Mode::enforce;
      } else if (item.mode.name == "shadow") {
        mode = Mode::shadow;
      } else if (item.mode.name == "off") {
        mode = Mode::off;
      } else {
        diagnostics().error(item.mode.span, fmt::format("unknown mode '{}'", item.mode.name),
                            "enforce, shadow or off");
        continue;
      }
      policy_.rules[*index].mode = mode;
    }
  }

  // An `earlier` of decisions that only rules set to `off` make is always empty: most likely the
  // mode was meant for a test, or the reading rule should be off too.
  void warn_history_of_off_rules() {
    for (const auto& reader : policy_.rules) {
      if (reader.mode == Mode::off) continue;
      for (const auto& query : reader.histories) {
        std::vector<std::string> makers;
        bool some_on = false;
        for (const auto& rule : policy_.rules) {
          if (!makes(rule, query.kind, query.name)) continue;
          makers.push_back(rule.name);
          some_on = some_on || rule.mode != Mode::off;
        }
        if (makers.empty() || some_on) continue;
        diagnostics().warning(
            query.span,
            fmt::format("rule '{}' reads earlier {} '{}' decisions, but every rule that makes "
                        "them is off ({})",
                        reader.name, decision_kind_name(query.kind), query.name,
                        fmt::join(makers, ", ")),
            "a mode other than off for one of them, or this rule off too");
      }
    }
  }

  std::string content_hash() const {
    Sha256 sha;
    for (const auto& file : files_) {
      const std::string& text = context_.sources.file(file.id).text();
      // Length-prefixed, so moving text from one file to the next changes the hash.
      sha.update(fmt::format("{}:", text.size()));
      sha.update(text);
    }
    return to_hex(sha.finish());
  }

  const std::vector<syntax::File>& files_;
  Policy policy_;
  CheckContext context_;
  std::vector<bool> has_value_;
};

}  // namespace

std::string LoadResult::render() const {
  if (!fatal.empty()) return "error: " + fatal + "\n";
  return sources ? diagnostics.render(*sources) : std::string();
}

LoadResult load_policy(const std::string& pack_path, const FileReader& reader) {
  LoadResult result;
  result.sources = std::make_shared<SourceSet>();
  auto files = load_files(pack_path, reader, *result.sources, result.diagnostics, result.fatal);
  if (!files) return result;
  Policy policy = PolicyChecker(files->files, *result.sources, result.diagnostics).run();
  if (result.diagnostics.has_errors()) return result;
  policy.sources = result.sources;
  result.policy = std::move(policy);
  return result;
}

}  // namespace bylaw::check
