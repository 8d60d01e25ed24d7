#!/usr/bin/env bash
# Hostile keys (issue 6): 1M events on one account stay within the per-key caps (counted and
# logged, never a crash); 1M distinct accounts run through in bounded memory. Every summary adds
# up.
set -euo pipefail
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
policy="$root/policies/marketplace.policy"

value() {  # value NAME PATH: a number from NAME's summary, at the jq PATH (.lines, .state.timers)
  jq "$2" "$work/$1.summary"
}

run() {  # run NAME: the policy over $work/NAME.jsonl, within 1 GiB of address space
  local status=0
  (
    [ -n "${BYLAW_SANITIZED:-}" ] || ulimit -v 1048576
    exec "$bylaw" run --policy "$policy" --input "$work/$1.jsonl" --output "$work/$1.out" \
      --summary-json "$work/$1.summary"
  ) 2> "$work/$1.err" || status=$?
  [ "$status" = 0 ] || { tail -5 "$work/$1.err"; fail "$1: exit $status"; }
  local sum
  sum=$(value "$1" '.evaluated + .duplicates + .skipped + .late + .rejected')
  [ "$sum" = "$(value "$1" .lines)" ] || fail "$1: the summary does not add up: $(cat "$work/$1.summary")"
  echo "$1: $(cat "$work/$1.summary")"
}

awk -v n=1000000 -f "$root/tests/streams/one_account.awk" > "$work/one_account.jsonl"
run one_account
[ "$(value one_account .evaluated)" = 1000000 ] || fail "one_account: not every event evaluated"
[ "$(value one_account .capped)" -gt 0 ] || fail "one_account: no cap was hit"
grep -q "a window reached its cap of 1000 entries per key (first under key c-1)" "$work/one_account.err" ||
  fail "one_account: the window cap was not logged"
grep -q "reached their cap of 1000 per subject (first for k-1)" "$work/one_account.err" ||
  fail "one_account: the history cap was not logged"
[ "$(grep -c 'reached its cap' "$work/one_account.err")" -le 3 ] || fail "one_account: the cap is logged per event"
# Three windows touch this account (f-1's feedback, c-1's messages and cancellations).
[ "$(value one_account .state.window_entries)" -le 3000 ] ||
  fail "one_account: windows hold $(value one_account .state.window_entries) entries, over the caps"

awk -v n=1000000 -f "$root/tests/streams/many_accounts.awk" > "$work/many_accounts.jsonl"
run many_accounts
[ "$(value many_accounts .capped)" = 0 ] || fail "many_accounts: a cap was hit"
[ "$(value many_accounts .state.window_keys)" -gt 500000 ] || fail "many_accounts: fewer keys than accounts"
echo ok
