#!/usr/bin/env bash
# bylaw backtest (issue 7): the marketplace pack with min_clients 2 against 3 on a generated
# stream. The holds it reports added and removed must equal an independent count: the holds of
# two `bylaw run`s, compared with sort and comm. The progress bar shows on a terminal only.
set -euo pipefail
bylaw=$1
gen=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"

"$gen" --events 60000 --freelancers 600 --clients 600 --seed 21 --bad-rate 0.01 > "$work/history.jsonl"
mkdir -p "$work/policies"
sed -e 's/min_clients = 3/min_clients = 2/' -e 's|"\.\./rules/|"'"$root"'/rules/|g' \
  "$root/policies/marketplace.policy" > "$work/policies/candidate.policy"
grep -q 'min_clients = 2' "$work/policies/candidate.policy" || fail "the candidate pack was not made"

"$bylaw" backtest --policy "$work/policies/candidate.policy" --baseline "$root/policies/marketplace.policy" \
  --input "$work/history.jsonl" --format json > "$work/report.json" 2> "$work/err" ||
  { cat "$work/err"; fail "backtest failed"; }
[ ! -s "$work/err" ] || fail "backtest wrote to standard error without a terminal: $(head -3 "$work/err")"

# The independent count.
holds() {  # holds PACK OUT: subject and trigger of every proposals_blocked hold
  "$bylaw" run --policy "$1" --input "$work/history.jsonl" 2> /dev/null |
    jq -r 'select(.kind == "hold" and .name == "proposals_blocked") | "\(.subject) \(.trigger)"' |
    sort > "$2"
}
holds "$root/policies/marketplace.policy" "$work/old.holds"
holds "$work/policies/candidate.policy" "$work/new.holds"
added=$(comm -13 "$work/old.holds" "$work/new.holds" | wc -l)
removed=$(comm -23 "$work/old.holds" "$work/new.holds" | wc -l)
[ "$added" -gt 0 ] || fail "min_clients 2 added no hold on this stream"
report() {  # report FILTER: the jq FILTER's value in the JSON report, on one line
  jq -c "$1" "$work/report.json"
}
reported=$(report '.by_decision["hold proposals_blocked"] | [.added, .removed]')
[ "$reported" = "[$added,$removed]" ] ||
  fail "backtest says [added, removed] $reported; the runs say added $added, removed $removed"
[ "$(report '.by_rule.negative_feedback_block.added')" = "$added" ] ||
  fail "by_rule does not carry the added holds: $(report .by_rule.negative_feedback_block)"
[ "$(report '.examples[0].change | type')" = '"string"' ] || fail "no examples"
# By subject: an account that gains holds counts at least those as added.
subject=$(comm -13 "$work/old.holds" "$work/new.holds" | awk 'NR == 1 { print $1 }')
gained=$(comm -13 "$work/old.holds" "$work/new.holds" | awk -v s="$subject" '$1 == s' | wc -l)
counted=$(jq --arg subject "$subject" '.by_subject[$subject].added' "$work/report.json")
[ "$counted" != null ] && [ "$counted" -ge "$gained" ] ||
  fail "by_subject gives $subject $counted added, the runs $gained holds"

# The text report, with a progress bar on a terminal (script gives the command one).
script -q -e -c "'$bylaw' backtest --policy '$work/policies/candidate.policy' \
  --baseline '$root/policies/marketplace.policy' --input '$work/history.jsonl' \
  --output '$work/report.txt'" /dev/null > "$work/tty.out" || fail "backtest on a terminal failed"
grep -q 'events/s' "$work/tty.out" || fail "no progress bar on a terminal: $(head -c 300 "$work/tty.out")"
grep -q "^hold proposals_blocked *+$added -$removed" <(sed -n '/^by decision:/,/^$/p' "$work/report.txt" | sed 's/^  //') ||
  fail "the text report's counts differ: $(sed -n '/^by decision:/,/^$/p' "$work/report.txt")"
grep -q '^added hold proposals_blocked on ' "$work/report.txt" || fail "no added hold among the examples"
echo "ok: $added holds added, $removed removed"
