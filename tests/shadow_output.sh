#!/usr/bin/env bash
# bylaw run --shadow-output (issue 7): a rule in shadow mode enforces nothing, and its decisions
# go to the shadow file, marked, beside the enforced decisions of the other rules.
set -u
bylaw=$1
gen=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
"$gen" --events 30000 --freelancers 300 --clients 300 --seed 4 > "$work/in.jsonl"
sed -e 's/mass_cancellation = enforce/mass_cancellation = shadow/' -e 's|"\.\./rules/|"'"$root"'/rules/|g' \
  "$root/policies/marketplace.policy" > "$work/shadow.policy"
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/in.jsonl" \
  --output "$work/enforced.jsonl" 2> /dev/null || fail "enforced run"
"$bylaw" run --policy "$work/shadow.policy" --input "$work/in.jsonl" --output "$work/out.jsonl" \
  --shadow-output "$work/shadow.jsonl" 2> /dev/null || fail "shadow run"
enforced=$(grep -c '"name":"mass_cancellation"' "$work/enforced.jsonl")
[ "$enforced" -gt 0 ] || fail "the stream raises no mass_cancellation alert"
grep -q '"name":"mass_cancellation"' "$work/out.jsonl" && fail "a shadow rule's decision was emitted"
[ -s "$work/shadow.jsonl" ] || fail "the shadow output is empty"
[ "$(grep -vc '"name":"mass_cancellation"' "$work/shadow.jsonl")" = 0 ] || fail "other decisions in the shadow output"
[ "$(grep -c '"shadow":true' "$work/shadow.jsonl")" = "$(wc -l < "$work/shadow.jsonl")" ] ||
  fail "a shadow decision is not marked"
# Everything the enforced rules did is the same with or without the shadow rule.
diff <(grep -v '"name":"mass_cancellation"' "$work/enforced.jsonl" | sed -E 's/"(id|policy_hash)":"[^"]*"//g') \
  <(sed -E 's/"(id|policy_hash)":"[^"]*"//g' "$work/out.jsonl") > /dev/null ||
  fail "the enforced rules decided differently beside a shadow rule"
# With a store (checkpoints), the same shadow decisions, written once each.
"$bylaw" run --policy "$work/shadow.policy" --input "$work/in.jsonl" --store "$work/s.db" \
  --checkpoint-every 1000 --output "$work/stored.jsonl" --shadow-output "$work/stored.shadow" 2> /dev/null ||
  fail "the run with a store failed"
cmp "$work/shadow.jsonl" "$work/stored.shadow" || fail "the shadow output differs with a store"
cmp "$work/out.jsonl" "$work/stored.jsonl" || fail "the output differs with a store"
echo "ok: $(wc -l < "$work/shadow.jsonl") shadow decisions, $enforced enforced"
