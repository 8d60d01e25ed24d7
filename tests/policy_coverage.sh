#!/usr/bin/env bash
# The marketplace pack's own test suite exercises every clause of every rule (issue 7).
set -euo pipefail
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
cd "$root"
"$bylaw" test --coverage --coverage-json "$work/coverage.json" policies > "$work/out.txt" ||
  { cat "$work/out.txt"; fail "the marketplace tests fail"; }
# The JSON holds one report per pack the tests use.
pack='.[] | select(.policy == "policies/marketplace.policy")'
clauses=$(jq "$pack | .clauses" "$work/coverage.json")
covered=$(jq "$pack | .covered" "$work/coverage.json")
[ -n "$clauses" ] || fail "no coverage of policies/marketplace.policy in: $(head -c 300 "$work/coverage.json")"
[ "$clauses" -gt 30 ] || fail "only $clauses clauses found"
[ "$clauses" = "$covered" ] || { grep NEVER "$work/out.txt" || true; fail "$covered of $clauses clauses covered"; }
grep -q "(100%)" "$work/out.txt" || fail "the text report does not say 100%"
echo "ok: $covered of $clauses clauses"
