#!/usr/bin/env bash
# The marketplace pack's own test suite exercises every clause of every rule (issue 7).
set -u
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
cd "$root" || exit 1
"$bylaw" test --coverage --coverage-json "$work/coverage.json" policies > "$work/out.txt" ||
  { cat "$work/out.txt"; fail "the marketplace tests fail"; }
clauses=$(grep -o '"clauses": [0-9]*' "$work/coverage.json" | head -1 | grep -o '[0-9]*$')
covered=$(grep -o '"covered": [0-9]*' "$work/coverage.json" | head -1 | grep -o '[0-9]*$')
[ "$clauses" -gt 30 ] || fail "only $clauses clauses found"
[ "$clauses" = "$covered" ] || { grep NEVER "$work/out.txt"; fail "$covered of $clauses clauses covered"; }
grep -q "(100%)" "$work/out.txt" || fail "the text report does not say 100%"
echo "ok: $covered of $clauses clauses"
