#include "contradictions.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "bylaw/check/operators.hpp"
#include "bylaw/check/types.hpp"
#include "expr_checker.hpp"

namespace bylaw::check {

namespace {

// One comparison of a value with a constant: `subject op value`, or `subject has value`, or
// `subject is present` / `is absent`.
struct Atom {
  enum class Kind { compare, has, presence } kind = Kind::compare;
  std::string subject;  // the compared expression, by structure (identity())
  Op op = Op::eq;       // compare: the operator, subject on the left
  Value value;          // compare, has: the constant
  bool holds = true;    // has: `has` (true) or `not ... has` (false); presence: present (true)
  std::string text;     // the conjunct as written, for the message
  std::size_t enum_values = 0;  // compare of an enum: how many values it has
};

Op flipped(Op op) {  // 3 < x  is  x > 3
  switch (op) {
    case Op::lt:
      return Op::gt;
    case Op::le:
      return Op::ge;
    case Op::gt:
      return Op::lt;
    case Op::ge:
      return Op::le;
    default:
      return op;
  }
}

std::optional<Op> negated(Op op) {  // not (x < 3)  is  x >= 3, for a value that is there
  switch (op) {
    case Op::eq:
      return Op::ne;
    case Op::ne:
      return Op::eq;
    case Op::lt:
      return Op::ge;
    case Op::le:
      return Op::gt;
    case Op::gt:
      return Op::le;
    case Op::ge:
      return Op::lt;
    default:
      return std::nullopt;
  }
}

// What an expression denotes, by structure: the same field of the same event reads the same,
// whatever the text (a def's body names its event by the def's own alias).
std::string identity(const TExpr& expr) {
  if (expr.kind == TExpr::Kind::defined) return identity(expr.args[0]);
  std::string out = fmt::format(
      "{}/{}/{}/{}/{}/{}(", static_cast<int>(expr.kind), static_cast<int>(expr.op),
      static_cast<int>(expr.builtin), expr.index, expr.slot,
      expr.kind == TExpr::Kind::literal ? display_value(expr.literal, expr.type) : std::string());
  for (const auto& arg : expr.args) out += identity(arg) + ",";
  return out + ")";
}

// `expr` as an atom, or none when it is not one this reasoning understands.
std::optional<Atom> atom_of(const TExpr& expr, const Policy& policy, bool negate) {
  if (expr.kind == TExpr::Kind::unary && expr.op == Op::logical_not) {
    std::optional<Atom> atom = atom_of(expr.args[0], policy, !negate);
    if (atom) atom->text = expr.text;  // quoted as written, with its `not`
    return atom;
  }
  if (expr.kind == TExpr::Kind::defined) return atom_of(expr.args[0], policy, negate);
  if (expr.kind != TExpr::Kind::binary) return std::nullopt;
  Atom atom;
  atom.text = expr.text;
  if (expr.op == Op::is_absent || expr.op == Op::is_present) {
    atom.kind = Atom::Kind::presence;
    atom.subject = identity(expr.args[0]);
    atom.holds = (expr.op == Op::is_present) != negate;
    return atom;
  }
  if (expr.args.size() != 2) return std::nullopt;
  if (expr.op == Op::has) {
    auto element = constant_value(expr.args[1], policy);
    if (!element || constant_value(expr.args[0], policy)) return std::nullopt;
    atom.kind = Atom::Kind::has;
    atom.subject = identity(expr.args[0]);
    atom.value = *element;
    atom.holds = !negate;
    return atom;
  }
  if (!syntax::is_comparison(expr.op)) return std::nullopt;
  auto left = constant_value(expr.args[0], policy);
  auto right = constant_value(expr.args[1], policy);
  if (left.has_value() == right.has_value()) return std::nullopt;  // both or neither constant
  const TExpr& subject = left ? expr.args[1] : expr.args[0];
  atom.subject = identity(subject);
  atom.value = left ? *left : *right;
  atom.op = left ? flipped(expr.op) : expr.op;
  if (subject.type.kind == TypeKind::enumeration && subject.type.enumeration) {
    atom.enum_values = subject.type.enumeration->values.size();
  }
  if (negate) {
    // `not (x > 3)` also holds when x is absent: only a value that is always there inverts.
    std::optional<Op> inverse = negated(atom.op);
    if (subject.type.optional || !inverse) return std::nullopt;
    atom.op = *inverse;
  }
  return atom;
}

void conjuncts(const TExpr& expr, std::vector<const TExpr*>& out) {
  if (expr.kind == TExpr::Kind::binary && expr.op == Op::logical_and) {
    conjuncts(expr.args[0], out);
    conjuncts(expr.args[1], out);
  } else if (expr.kind == TExpr::Kind::defined) {
    conjuncts(expr.args[0], out);
  } else {
    out.push_back(&expr);
  }
}

// Whether some one value meets both: a pair of atoms on the same subject.
bool compatible(const Atom& a, const Atom& b) {
  using K = Atom::Kind;
  if (a.kind == K::presence || b.kind == K::presence) {
    if (a.kind == K::presence && b.kind == K::presence) return a.holds == b.holds;
    const Atom& presence = a.kind == K::presence ? a : b;
    const Atom& other = a.kind == K::presence ? b : a;
    // A comparison or `has` that holds needs the value there; `not has` holds without it.
    bool needs_value = other.kind == K::compare || other.holds;
    return presence.holds || !needs_value;
  }
  if (a.kind == K::has || b.kind == K::has) {
    if (a.kind != b.kind) return true;
    return a.holds == b.holds || !(a.value == b.value);
  }
  // Two comparisons: one of them an equality is checked by putting its value in the other.
  if (a.op == Op::eq) return compare_values(b.op, a.value, b.value);
  if (b.op == Op::eq) return compare_values(a.op, b.value, a.value);
  if (a.op == Op::ne || b.op == Op::ne) return true;
  auto order = order_values(a.value, b.value);
  if (!order) return true;
  bool a_lower = a.op == Op::gt || a.op == Op::ge;
  bool b_lower = b.op == Op::gt || b.op == Op::ge;
  if (a_lower == b_lower) return true;  // two lower (or upper) bounds always meet
  const Atom& lower = a_lower ? a : b;
  const Atom& upper = a_lower ? b : a;
  int c = a_lower ? *order : -*order;  // lower bound's value against the upper's
  if (c < 0) return true;
  if (c > 0) return false;
  return lower.op == Op::ge && upper.op == Op::le;  // x >= v and x <= v: only v
}

// An enum that every one of its values is excluded from (`k != fixed and k != hourly`).
std::optional<std::string> no_value_left(const std::vector<Atom>& atoms) {
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    if (atoms[i].enum_values == 0 || atoms[i].op != Op::ne) continue;
    std::vector<const Atom*> excluding;
    for (const auto& atom : atoms) {
      if (atom.subject != atoms[i].subject || atom.op != Op::ne) continue;
      bool seen = false;
      for (const Atom* other : excluding) seen = seen || other->value == atom.value;
      if (!seen) excluding.push_back(&atom);
    }
    if (excluding.size() < atoms[i].enum_values) continue;
    std::vector<std::string> texts;
    for (const Atom* atom : excluding) texts.push_back("`" + atom->text + "`");
    return fmt::format("{} leave no value", fmt::join(texts, " and "));
  }
  return std::nullopt;
}

std::optional<std::string> clash(const std::vector<Atom>& atoms) {
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (atoms[i].subject != atoms[j].subject || compatible(atoms[i], atoms[j])) continue;
      return fmt::format("`{}` contradicts `{}`", atoms[i].text, atoms[j].text);
    }
  }
  return no_value_left(atoms);
}

// The atoms of the conjuncts of `condition`; an `or` both of whose sides can never hold makes
// the whole never hold, reported through `inner`.
std::vector<Atom> atoms_of(const TExpr& condition, const Policy& policy,
                           std::optional<std::string>& inner) {
  std::vector<const TExpr*> parts;
  conjuncts(condition, parts);
  std::vector<Atom> atoms;
  for (const TExpr* part : parts) {
    if (part->kind == TExpr::Kind::binary && part->op == Op::logical_or) {
      auto left = contradiction(part->args[0], policy);
      auto right = contradiction(part->args[1], policy);
      if (left && right && !inner) inner = fmt::format("both sides of `{}` never hold", part->text);
      continue;
    }
    if (auto atom = atom_of(*part, policy, false)) atoms.push_back(std::move(*atom));
  }
  return atoms;
}

// Whether `expr` reads the trigger event, parameters and literals only: a let or a candidate of
// one rule is not the same value as another rule's with the same index.
bool about_event_only(const TExpr& expr) {
  if (expr.kind == TExpr::Kind::let || expr.kind == TExpr::Kind::candidate) return false;
  return std::all_of(expr.args.begin(), expr.args.end(), about_event_only);
}

void event_atoms(const std::vector<TExpr>& guards, const Policy& policy, std::vector<Atom>& out) {
  for (const auto& guard : guards) {
    if (guard.type.is_error()) continue;
    std::vector<const TExpr*> parts;
    conjuncts(guard, parts);
    for (const TExpr* part : parts) {
      if (!about_event_only(*part)) continue;
      if (auto atom = atom_of(*part, policy, false)) out.push_back(std::move(*atom));
    }
  }
}

}  // namespace

bool never_both(const std::vector<TExpr>& guards, const std::vector<TExpr>& other_guards,
                const Policy& policy) {
  std::vector<Atom> atoms;
  event_atoms(guards, policy, atoms);
  event_atoms(other_guards, policy, atoms);
  return clash(atoms).has_value();
}

std::optional<std::string> contradiction(const TExpr& condition, const Policy& policy) {
  if (condition.type.is_error()) return std::nullopt;
  std::optional<std::string> inner;
  std::vector<Atom> atoms = atoms_of(condition, policy, inner);
  if (inner) return inner;
  return clash(atoms);
}

bool covered_by(const TExpr& later, const TExpr& earlier, const Policy& policy) {
  if (later.type.is_error() || earlier.type.is_error()) return false;
  std::optional<Atom> not_earlier = atom_of(earlier, policy, true);
  if (!not_earlier) return false;
  std::optional<std::string> inner;
  std::vector<Atom> atoms = atoms_of(later, policy, inner);
  if (inner) return true;
  atoms.push_back(std::move(*not_earlier));
  return clash(atoms).has_value();
}

}  // namespace bylaw::check
