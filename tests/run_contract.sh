#!/usr/bin/env bash
# The command-line contract of bylaw run and bylaw explain (../shared/spec/decisions.md):
# exit codes, rejects on standard error when there is no --rejects, explain's JSON formats.
set -euo pipefail
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
policy="$root/policies/marketplace.policy"
sample="$root/examples/marketplace.jsonl"
expect_exit() {  # expect_exit CODE WHAT ARGS...
  local want=$1 what=$2
  shift 2
  local got=0
  "$bylaw" "$@" > "$work/out" 2> "$work/err" || got=$?
  [ "$got" = "$want" ] || { cat "$work/err"; fail "$what: exit $got, not $want"; }
}
expect_exit 1 "unreadable input" run --policy "$policy" --input "$work/missing.jsonl"
grep -q "cannot read input" "$work/err" || fail "unreadable input: no message"
expect_exit 1 "unwritable output" run --policy "$policy" --input "$sample" --output "$work/no/such/dir/out"
expect_exit 1 "a bad --max-lateness" run --policy "$policy" --input "$sample" --max-lateness 5x
expect_exit 2 "a policy that does not load" run --policy "$root/tests/golden/check/many_errors/pack.policy" --input "$sample"
grep -q "error: bad duration literal" "$work/err" || fail "bad policy: diagnostics not shown"
expect_exit 0 "rejected lines" run --policy "$policy" --input "$root/tests/scenarios/malformed_lines/input.jsonl"
grep -q "rejected line 2: invalid_json" "$work/err" || fail "without --rejects, rejects are not logged to standard error"
grep -q "28 lines read: 5 evaluated, 1 duplicates, 1 skipped, 1 late, 20 rejected" "$work/err" || fail "summary"
[ ! -s "$work/out" ] || fail "logs or rejects leaked into the decision stream"
# explain --format json: the trace object, and the subject's view.
expect_exit 0 "run into a store" run --policy "$policy" --input "$sample" --output "$work/d.jsonl" --store "$work/s.db"
hold=$(first_id "$work/d.jsonl" '.kind == "hold"') || fail "no hold in the sample's decisions"
says() {  # says CONDITION: the jq CONDITION holds for the JSON that explain printed
  [ "$(jq "$1" "$work/out")" = true ]
}
expect_exit 0 "explain json" explain --store "$work/s.db" "$hold" --format json
says ".id == \"$hold\" and .kind == \"hold\" and .subject == \"f-12\"" || fail "explain json: not the whole decision"
says '.explanation.rule == "negative_feedback_block"' || fail "explain json: no rule"
says '.explanation.margins | type == "array" and length > 0' || fail "explain json: no margins"
says 'any(.explanation.aggregates[].left_out[]; .id == "e-011" and .fields.public_rating == "1")' ||
  fail "explain json: the left-out event or what the rule read from it is missing"
expect_exit 0 "explain subject json" explain --store "$work/s.db" "$hold" --format json --audience subject
says '.next | startswith("You can appeal from 22 October 2026, 15:45 UTC")' || fail "subject json: no appeal step"
# Anywhere in the text, a key or a value: no other party's id.
if grep -q 'e-0\|c-1' "$work/out"; then fail "subject json names another party"; fi
expect_exit 1 "an unknown format" explain --store "$work/s.db" "$hold" --format pdf
# --subject honours --format and --audience; alerts are for staff only.
expect_exit 0 "explain subject json" explain --store "$work/s.db" --subject c-666 --format json
says 'length == 1 and .[0].kind == "alert"' || fail "c-666 has an alert"
expect_exit 0 "explain subject json for c-666" explain --store "$work/s.db" --subject c-666 --format json --audience subject
says 'length == 0' || fail "c-666's own view lists an alert"
expect_exit 0 "explain subject json for f-12" explain --store "$work/s.db" --subject f-12 --format json --audience subject
says 'length == 8 and all(.[]; has("what") and has("next"))' || fail "f-12's own views"
# The release names its hold by a value (`release r.hold`): it still reads as the pack declares it.
says '.[-1].what == "The restriction \"Proposals and new contracts blocked\" on your account was lifted on 10 May 2027, 08:00 UTC."' ||
  fail "f-12's release does not read as declared: $(jq '.[-1].what' "$work/out")"
alert=$(first_id "$work/d.jsonl" '.kind == "alert"') || fail "no alert in the sample's decisions"
expect_exit 1 "an alert's account view" explain --store "$work/s.db" "$alert" --audience subject
grep -q "is an alert for trust-and-safety staff" "$work/err" || fail "an alert's account view: $(cat "$work/err")"
expect_exit 0 "explain subject html" explain --store "$work/s.db" --subject f-12 --format html
[ "$(grep -c '<article id="d-' "$work/out")" = 8 ] && grep -q "<a href=\"#$hold\">$hold</a>" "$work/out" ||
  fail "f-12's page does not hold and link its 8 decisions"
exit 0
