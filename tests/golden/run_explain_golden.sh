#!/usr/bin/env bash
# Golden text traces: the sample stream into a store, then `bylaw explain` for a hold, an alert, an
# eligibility denial with eligible_at, a timer-fired eligibility, the hold for its subject, and
# an account's history. UPDATE_GOLDEN=1 rewrites the expected files and prints the diff.
set -euo pipefail
bylaw=$1
root=$2
golden="$root/tests/golden/explain"
source "$(dirname "$0")/../script_prelude.sh"
source "$(dirname "$0")/golden.sh"
cd "$root"
"$bylaw" run --policy policies/marketplace.policy --input examples/marketplace.jsonl \
  --store "$work/audit.db" > "$work/decisions.jsonl" 2> /dev/null || fail "bylaw run failed"

id_of() {  # id_of CONDITION: the first decision's id for which the jq CONDITION holds
  first_id "$work/decisions.jsonl" "$1" || fail "no decision where $1"
}

check() {  # check NAME EXPLAIN_ARGS...: bylaw explain's output against explain/NAME.txt
  local name=$1
  shift
  local status=0
  "$bylaw" explain --store "$work/audit.db" "$@" > "$work/$name.txt" 2>&1 || status=$?
  [ "$status" = 0 ] || { cat "$work/$name.txt"; fail "$name: bylaw explain $* exited $status"; }
  compare_golden "$golden/$name.txt" "$work/$name.txt"
}

hold=$(id_of '.kind == "hold"')
alert=$(id_of '.kind == "alert"')
too_early=$(id_of '.reason == "too_early"')
timer=$(id_of 'has("trigger") and .trigger == null')
check hold "$hold"
check alert "$alert"
check denial_too_early "$too_early"
check timer_eligibility "$timer"
check hold_for_subject "$hold" --audience subject
check history_f-12 --subject f-12
exit "$golden_status"
