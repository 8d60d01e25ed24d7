#!/usr/bin/env bash
# bylaw plan through the command line: the key analysis of the marketplace pack as text and as
# JSON (rule 1 in two steps, by contract then by freelancer; the routing of each event type); a
# pack that does not load exits 2 saying so; an unknown format is a usage error.
set -u
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
cd "$root" || exit 1
pack=policies/marketplace.policy

"$bylaw" plan --policy "$pack" > "$work/plan.txt" 2> "$work/err" || fail "plan failed: $(cat "$work/err")"
grep -q '^policy marketplace@2026.11: 10 rules, 1 of them in more than one step$' "$work/plan.txt" ||
  fail "no summary line: $(head -1 "$work/plan.txt")"
grep -A1 '^negative_feedback_block (on feedback.submitted as f): 2 steps$' "$work/plan.txt" |
  grep -q '^  step 1 at f.contract$' || fail "rule 1's first step is not by contract"
grep -q '^  step 2 at f.freelancer$' "$work/plan.txt" || fail "rule 1's second step is not by freelancer"
grep -q '^    handed on: close, flag$' "$work/plan.txt" || fail "step 2 is not handed close and flag"
grep -q '^  contract.closed -> mass_cancellation step 1 at c.client, negative_feedback_block.s index close at c.contract$' \
  "$work/plan.txt" || fail "contract.closed is not routed to the client and the contract"

"$bylaw" plan --policy "$pack" --format json > "$work/plan.json" || fail "plan --format json failed"
python3 - "$work/plan.json" <<'PY' || fail "the JSON plan is not what the text says"
import json, sys
plan = json.load(open(sys.argv[1]))
rules = {r["rule"]: r for r in plan["rules"]}
r1 = rules["negative_feedback_block"]
assert [s["key"] for s in r1["steps"]] == ["f.contract", "f.freelancer"], r1["steps"]
assert r1["accesses"][r1["steps"][0]["accesses"][1]]["key"] == ["f.contract", "f.client"]
assert all(len(r["steps"]) == 1 for name, r in rules.items() if name != "negative_feedback_block")
assert {"event_type": "contract.closed", "rule": "negative_feedback_block", "index": "close",
        "partition_key": "c.contract"} in plan["index_feeds"]
assert plan["policy_hash"]
PY

printf 'policy p version "1" {\n  use "missing.rules"\n}\n' > "$work/broken.policy"
"$bylaw" plan --policy "$work/broken.policy" > /dev/null 2> "$work/err"
[ $? -eq 2 ] || fail "a pack that does not load did not exit 2"
grep -q 'missing.rules' "$work/err" || fail "the error does not name the missing file: $(cat "$work/err")"
grep -q 'the policy does not load' "$work/err" || fail "no closing line: $(cat "$work/err")"

"$bylaw" plan --policy "$pack" --format yaml > /dev/null 2> "$work/err"
[ $? -eq 1 ] || fail "an unknown --format was not a usage error"
grep -q 'yaml' "$work/err" || fail "the usage error does not name the bad value: $(cat "$work/err")"
echo ok
