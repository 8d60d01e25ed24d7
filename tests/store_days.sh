#!/usr/bin/env bash
# State lives in the store: a generated stream split in three days and run day after day through
# one store makes, byte for byte, what one run over the whole stream makes; a day re-sent is all
# duplicates; --restart starts from empty state.
set -euo pipefail
bylaw=$1
gen=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
policy=$root/policies/marketplace.policy

"$gen" --events 60000 --freelancers 2000 --clients 2000 --seed 11 --bad-rate 0.01 \
  --output "$work/all.jsonl"
split -l 20000 -d "$work/all.jsonl" "$work/day"
"$bylaw" run --policy "$policy" --input "$work/all.jsonl" --output "$work/one.jsonl" \
  --rejects "$work/one.rejects" 2> /dev/null
[ "$(wc -l < "$work/one.jsonl")" -gt 100 ] || fail "the stream made too few decisions to compare"

for day in day00 day01 day02; do
  "$bylaw" run --policy "$policy" --input "$work/$day" --output "$work/$day.out" \
    --rejects "$work/$day.rejects" --store "$work/store.db" --summary-json "$work/$day.summary" \
    2> "$work/$day.log" || fail "$day: exit $?: $(cat "$work/$day.log")"
done
cat "$work/day00.out" "$work/day01.out" "$work/day02.out" > "$work/days.jsonl"
cmp "$work/one.jsonl" "$work/days.jsonl" || fail "three days through one store differ from one run"
# The same output file over the three days: appended to, it holds them all.
for day in day00 day01 day02; do
  "$bylaw" run --policy "$policy" --input "$work/$day" --output "$work/same.jsonl" \
    --store "$work/same.db" 2> /dev/null
done
cmp "$work/one.jsonl" "$work/same.jsonl" || fail "one output file over three days lost or changed lines"
grep -q "carrying on from the state the last run left" "$work/day01.log" ||
  fail "day01 did not say it carried on: $(cat "$work/day01.log")"

# Each day's summary counts that day's lines and decisions; together, the whole stream's.
lines=0 decisions=0
for day in day00 day01 day02; do
  [ "$(jq .lines "$work/$day.summary")" = 20000 ] || fail "$day: $(jq .lines "$work/$day.summary") lines"
  lines=$((lines + $(jq .lines "$work/$day.summary")))
  decisions=$((decisions + $(wc -l < "$work/$day.out")))
done
[ "$lines" = 60000 ] && [ "$decisions" = "$(wc -l < "$work/one.jsonl")" ] ||
  fail "the days' summaries add up to $lines lines and $decisions decisions"
# Rejects name the line in the day's own file.
first=$(head -1 "$work/day01.rejects" | jq .line)
[ "$(sed -n "${first}p" "$work/day01")" = "$(head -1 "$work/day01.rejects" | jq -r .input)" ] ||
  fail "day01's first reject does not name its own line $first"

# The same day again: every event is a duplicate now, and nothing is decided twice.
"$bylaw" run --policy "$policy" --input "$work/day01" --output "$work/again.out" \
  --store "$work/store.db" --summary-json "$work/again.summary" 2> /dev/null
[ ! -s "$work/again.out" ] || fail "a re-sent day made decisions again"
[ "$(jq .evaluated "$work/again.summary")" = 0 ] || fail "a re-sent day was evaluated"

# --restart: empty state, as a run over that day alone without a store.
"$bylaw" run --policy "$policy" --input "$work/day02" --output "$work/alone.out" 2> /dev/null
"$bylaw" run --policy "$policy" --input "$work/day02" --output "$work/restart.out" \
  --store "$work/store.db" --restart 2> /dev/null
cmp "$work/alone.out" "$work/restart.out" || fail "--restart did not start from empty state"
"$bylaw" audit verify --store "$work/store.db" > /dev/null || fail "the audit chain broke"
echo ok
