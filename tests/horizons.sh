#!/usr/bin/env bash
# Bounded state (issue 16 item 6): the marketplace pack's horizons (`latest ... within`,
# `earlier ... within`) change no decision on generated streams of two and four years, compared by
# `bylaw backtest` with the same pack without them, which `bylaw check` warns keeps state
# without bound.
set -euo pipefail
gen=$1
bylaw=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
mkdir -p "$work/bare/rules" "$work/bare/policies"
# The same rules, every horizon taken out.
for file in "$root"/rules/*.rules; do
  sed -E 's/ within (contract_memory|flag_memory|submission_memory|dispute_memory)//' "$file" \
    > "$work/bare/rules/$(basename "$file")"
done
cp "$root/policies/marketplace.policy" "$work/bare/policies/"
grep -q "within contract_memory" "$root/rules/feedback.rules" || fail "the pack has no horizons"
cmp -s "$root/rules/feedback.rules" "$work/bare/rules/feedback.rules" && fail "nothing taken out"
"$bylaw" check --policy "$work/bare/policies/marketplace.policy" > "$work/bare.check" 2>&1 ||
  fail "the bare pack does not check: $(cat "$work/bare.check")"
grep -q "keeps the latest contract.closed per contract without end" "$work/bare.check" ||
  fail "no warning about unbounded state: $(cat "$work/bare.check")"
"$bylaw" check --policy "$root/policies/marketplace.policy" > "$work/pack.check" 2>&1
grep -q "0 warnings" "$work/pack.check" || fail "the pack: $(cat "$work/pack.check")"

for spec in "730 1" "1461 2"; do
  set -- $spec
  "$gen" --events 150000 --freelancers 600 --clients 600 --days "$1" --seed "$2" > "$work/s.jsonl"
  "$bylaw" backtest --policy "$root/policies/marketplace.policy" \
    --baseline "$work/bare/policies/marketplace.policy" --input "$work/s.jsonl" --format json \
    --output "$work/report.json" 2> /dev/null || fail "backtest exited $?"
  total=$(jq ".decisions.candidate" "$work/report.json")
  changed=$(jq "[.total.added, .total.removed, .total.changed] | add" "$work/report.json")
  [ "$total" -gt 10000 ] || fail "too few decisions to compare: $(head -c 400 "$work/report.json")"
  [ "$changed" = 0 ] || fail "the horizons change decisions over $1 days: $(head -c 2000 "$work/report.json")"
  echo "ok: $total decisions over $1 days, none changed"
done
