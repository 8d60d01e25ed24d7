#!/usr/bin/env bash
# The generator is deterministic, and its stream makes every rule and reason code of the
# marketplace policy occur; the run's summary accounts for every line.
set -euo pipefail
gen=$1
bylaw=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
args=(--events 60000 --freelancers 400 --clients 400 --seed 11 --bad-rate 0.02)
"$gen" "${args[@]}" > "$work/a.jsonl"
"$gen" "${args[@]}" > "$work/b.jsonl"
cmp "$work/a.jsonl" "$work/b.jsonl" || fail "the generator is not deterministic"
"$gen" --events 1000 --seed 12 > "$work/c.jsonl"
if cmp -s <(head -n 1000 "$work/a.jsonl") "$work/c.jsonl"; then fail "the seed changes nothing"; fi
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/a.jsonl" \
  --output "$work/out.jsonl" --rejects "$work/rejects.jsonl" --summary-json "$work/summary.json" \
  2> /dev/null || fail "bylaw run exited $?"

# occurs FILE CONDITION: some JSON line of FILE satisfies the jq CONDITION.
occurs() {
  local found
  found=$(jq -n "any(inputs; $2)" "$1")
  [ "$found" = true ]
}

missing=0
for condition in \
  '.kind == "hold" and .name == "proposals_blocked"' \
  '.kind == "hold" and .name == "feedback_suspended"' \
  '.kind == "release"' \
  '.name == "feedback_manipulation"' \
  '.name == "mass_cancellation"' \
  '.reason == "no_active_hold"' '.reason == "too_early"' '.reason == "denied"' \
  'has("trigger") and .trigger == null' \
  '.name == "appeal" and (.trigger | type) == "string" and .eligible == true' \
  '.reason == "no_submission"' '.reason == "window_closed"' \
  '.name == "dispute" and .eligible == true' \
  '.reason == "below_minimum"' '.reason == "no_dispute"' \
  '.name == "arbitration" and .eligible == true'; do
  if ! occurs "$work/out.jsonl" "$condition"; then echo "never occurs: $condition"; missing=1; fi
done
for reason in invalid_json missing_field:contract bad_field:kind bad_time; do
  if ! occurs "$work/rejects.jsonl" ".reason == \"$reason\""; then echo "no reject $reason"; missing=1; fi
done

# lines = evaluated + duplicates + skipped + late + rejected
lines=$(jq .lines "$work/summary.json")
accounted=$(jq '.evaluated + .duplicates + .skipped + .late + .rejected' "$work/summary.json")
[ "$lines" = 60000 ] || fail "summary counts $lines lines"
[ "$lines" = "$accounted" ] || fail "the summary does not add up: $lines lines, $accounted accounted for"
[ "$(wc -l < "$work/rejects.jsonl")" -gt 0 ] || fail "no rejects"
exit $missing
