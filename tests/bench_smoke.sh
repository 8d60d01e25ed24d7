#!/usr/bin/env bash
# The benchmark runs, and its counts agree with bylaw run's summary. It asserts no time.
set -euo pipefail
bench=$1
gen=$2
bylaw=$3
root=$4
source "$(dirname "$0")/script_prelude.sh"
"$gen" --events 20000 --freelancers 500 --clients 500 --seed 3 --bad-rate 0.01 --output "$work/s.jsonl"
"$bench" --bylaw "$bylaw" --policy "$root/policies/marketplace.policy" --input "$work/s.jsonl" --json > "$work/r.json"
cat "$work/r.json"
[ "$(jq .events "$work/r.json")" = 20000 ] || fail "the benchmark read $(jq .events "$work/r.json") events"
[ "$(jq .counts_match "$work/r.json")" = true ] || fail "the benchmark's counts differ from the run's"
