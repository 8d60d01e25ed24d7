#!/usr/bin/env bash
# bylaw run --shadow-output (issue 7): a rule in shadow mode enforces nothing, and its decisions
# go to the shadow file, marked, beside the enforced decisions of the other rules.
set -euo pipefail
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
enforced=$(count_where "$work/enforced.jsonl" '.name == "mass_cancellation"')
[ "$enforced" -gt 0 ] || fail "the stream raises no mass_cancellation alert"
[ "$(count_where "$work/out.jsonl" '.name == "mass_cancellation"')" = 0 ] ||
  fail "a shadow rule's decision was emitted"
[ -s "$work/shadow.jsonl" ] || fail "the shadow output is empty"
[ "$(count_where "$work/shadow.jsonl" '.name != "mass_cancellation"')" = 0 ] ||
  fail "other decisions in the shadow output"
[ "$(count_where "$work/shadow.jsonl" '.shadow != true')" = 0 ] || fail "a shadow decision is not marked"
# Everything the enforced rules did is the same with or without the shadow rule, but for what
# depends on the policy's text: the decision ids and the policy hash.
enforced_rules() {  # enforced_rules FILE: its decisions but mass_cancellation's, without them
  jq -c 'select(.name != "mass_cancellation") | del(.id, .policy_hash, .explanation.policy_hash)' "$1"
}
enforced_rules "$work/enforced.jsonl" > "$work/enforced.rules.jsonl"
enforced_rules "$work/out.jsonl" > "$work/out.rules.jsonl"
[ -s "$work/out.rules.jsonl" ] || fail "no decision of the enforced rules"
cmp -s "$work/enforced.rules.jsonl" "$work/out.rules.jsonl" ||
  fail "the enforced rules decided differently beside a shadow rule"
# With a store (checkpoints), the same shadow decisions, written once each.
"$bylaw" run --policy "$work/shadow.policy" --input "$work/in.jsonl" --store "$work/s.db" \
  --checkpoint-every 1000 --output "$work/stored.jsonl" --shadow-output "$work/stored.shadow" 2> /dev/null ||
  fail "the run with a store failed"
cmp "$work/shadow.jsonl" "$work/stored.shadow" || fail "the shadow output differs with a store"
cmp "$work/out.jsonl" "$work/stored.jsonl" || fail "the output differs with a store"
echo "ok: $(wc -l < "$work/shadow.jsonl") shadow decisions, $enforced enforced"
