#!/usr/bin/env bash
# The generator is deterministic, and its stream makes every rule and reason code of the
# marketplace policy occur; the run's summary accounts for every line.
set -eu
gen=$1
bylaw=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
args=(--events 60000 --freelancers 400 --clients 400 --seed 11 --bad-rate 0.02)
"$gen" "${args[@]}" > "$work/a.jsonl"
"$gen" "${args[@]}" > "$work/b.jsonl"
cmp "$work/a.jsonl" "$work/b.jsonl" || { echo "the generator is not deterministic"; exit 1; }
"$gen" --events 1000 --seed 12 > "$work/c.jsonl"
if cmp -s <(head -n 1000 "$work/a.jsonl") "$work/c.jsonl"; then echo "the seed changes nothing"; exit 1; fi
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/a.jsonl" \
  --output "$work/out.jsonl" --rejects "$work/rejects.jsonl" --summary-json "$work/summary.json" 2>/dev/null
missing=0
for pattern in '"kind":"hold","name":"proposals_blocked"' '"kind":"hold","name":"feedback_suspended"' \
  '"kind":"release"' '"name":"feedback_manipulation"' '"name":"mass_cancellation"' \
  '"reason":"no_active_hold"' '"reason":"too_early"' '"reason":"denied"' '"trigger":null' \
  '"name":"appeal","subject":"[^"]*","time":"[^"]*","trigger":"[^"]*",[^{]*"eligible":true' \
  '"reason":"no_submission"' '"reason":"window_closed"' '"name":"dispute",[^{]*"eligible":true' \
  '"reason":"below_minimum"' '"reason":"no_dispute"' '"name":"arbitration",[^{]*"eligible":true'; do
  if ! grep -q -- "$pattern" "$work/out.jsonl"; then echo "never occurs: $pattern"; missing=1; fi
done
for reason in invalid_json missing_field:contract bad_field:kind bad_time; do
  grep -q "\"reason\":\"$reason\"" "$work/rejects.jsonl" || { echo "no reject $reason"; missing=1; }
done
# lines = evaluated + duplicates + skipped + late + rejected
read -r lines total < <(sed -E 's/.*"lines":([0-9]+),"evaluated":([0-9]+),"duplicates":([0-9]+),"skipped":([0-9]+),"late":([0-9]+),"rejected":([0-9]+).*/\1 \2+\3+\4+\5+\6/' "$work/summary.json")
[ "$lines" = 60000 ] || { echo "summary counts $lines lines"; exit 1; }
[ "$lines" = "$(( total ))" ] || { echo "the summary does not add up: $lines != $total"; exit 1; }
[ "$(wc -l < "$work/rejects.jsonl")" -gt 0 ]
exit $missing
