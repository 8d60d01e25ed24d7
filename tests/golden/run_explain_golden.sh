#!/usr/bin/env bash
# Golden text traces: the sample stream into a store, then `bylaw explain` for a hold, an alert, an
# eligibility denial with eligible_at, a timer-fired eligibility, the hold for its subject, and
# an account's history. UPDATE_GOLDEN=1 rewrites the expected files (then read the diff).
set -u
bylaw=$1
root=$2
golden="$root/tests/golden/explain"
source "$(dirname "$0")/../script_prelude.sh"
cd "$root" || exit 1
"$bylaw" run --policy policies/marketplace.policy --input examples/marketplace.jsonl \
  --store "$work/audit.db" > "$work/decisions.jsonl" 2>/dev/null || { echo "bylaw run failed"; exit 1; }
id_of() { grep -m1 -- "$1" "$work/decisions.jsonl" | cut -d'"' -f4; }
status=0
check() {
  local name=$1
  shift
  "$bylaw" explain --store "$work/audit.db" "$@" > "$work/$name.txt" 2>&1
  if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$work/$name.txt" "$golden/$name.txt"
  elif ! diff -u "$golden/$name.txt" "$work/$name.txt"; then
    echo "golden mismatch: $name (UPDATE_GOLDEN=1 ctest -R golden rewrites; review the diff)"
    status=1
  fi
}
check hold "$(id_of '"kind":"hold"')"
check alert "$(id_of '"kind":"alert"')"
check denial_too_early "$(id_of '"reason":"too_early"')"
check timer_eligibility "$(id_of '"trigger":null')"
check hold_for_subject "$(id_of '"kind":"hold"')" --audience subject
check history_f-12 --subject f-12
exit $status
