#!/usr/bin/env bash
# The shipped packs' test suites exercise every clause of every rule (issues 7 and 16): the
# marketplace pack, and the extended pack (which also runs the marketplace's tests).
set -euo pipefail
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
cd "$root"
"$bylaw" test --coverage --coverage-json "$work/coverage.json" policies > "$work/out.txt" ||
  { cat "$work/out.txt"; fail "the policy tests fail"; }
# The JSON holds one report per pack the tests use.
for name in marketplace:30 extended:45; do
  policy=policies/${name%%:*}.policy
  pack=".[] | select(.policy == \"$policy\")"
  clauses=$(jq "$pack | .clauses" "$work/coverage.json")
  covered=$(jq "$pack | .covered" "$work/coverage.json")
  [ -n "$clauses" ] || fail "no coverage of $policy in: $(head -c 300 "$work/coverage.json")"
  [ "$clauses" -gt "${name##*:}" ] || fail "only $clauses clauses found in $policy"
  [ "$clauses" = "$covered" ] || { grep NEVER "$work/out.txt" || true; fail "$covered of $clauses clauses of $policy covered"; }
  grep -q "coverage of $policy: .*(100%)" "$work/out.txt" || fail "the text report does not say 100% for $policy"
  echo "ok: $policy: $covered of $clauses clauses"
done
