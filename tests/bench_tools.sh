#!/usr/bin/env bash
# The benchmark's inputs are what they claim (issue 17): rule 1 written by hand
# (tools/bench_r1.cpp) makes exactly the holds `bylaw run` makes with policies/bench/r1.policy,
# and `gen-events --mix rare` gives a stream where about 2% of events make a decision.
set -euo pipefail
gen=$1
baseline=$2
bylaw=$3
root=$4
source "$(dirname "$0")/script_prelude.sh"

"$gen" --events 200000 --freelancers 2000 --clients 2000 --seed 3 --bad-rate 0.01 > "$work/s.jsonl"
"$baseline" --input "$work/s.jsonl" --holds "$work/by_hand.txt" > /dev/null
"$bylaw" run --policy "$root/policies/bench/r1.policy" --input "$work/s.jsonl" \
  --output "$work/decisions.jsonl" 2> /dev/null
jq -r 'select(.kind == "hold") | "\(.subject) \(.trigger)"' "$work/decisions.jsonl" |
  sort > "$work/by_bylaw.txt"
holds=$(wc -l < "$work/by_bylaw.txt")
[ "$holds" -gt 100 ] || fail "too few holds to compare: $holds"
[ "$(jq -s 'map(select(.kind != "hold")) | length' "$work/decisions.jsonl")" = 0 ] ||
  fail "r1.policy makes decisions other than holds"
sort "$work/by_hand.txt" | diff - "$work/by_bylaw.txt" > "$work/diff.txt" ||
  fail "the hand-written rule 1 and bylaw disagree: $(head -20 "$work/diff.txt")"
echo "ok: $holds holds, the same by hand and by bylaw"

# The rare mix: between 1% and 3% of events make a decision; the default mix about 12%.
for mix in rare default; do
  "$gen" --events 100000 --freelancers 10000 --clients 10000 --seed 7 --mix "$mix" |
    "$bylaw" run --policy "$root/policies/marketplace.policy" --summary-json "$work/$mix.json" \
      > /dev/null 2>&1
  share=$(jq '([.decisions[]] | add) * 1000 / .evaluated | floor' "$work/$mix.json")
  echo "$mix mix: $share per mille of events make a decision"
  case "$mix" in
    rare) [ "$share" -ge 10 ] && [ "$share" -le 30 ] || fail "the rare mix makes $share per mille" ;;
    default) [ "$share" -ge 90 ] || fail "the default mix makes only $share per mille" ;;
  esac
done
