#!/usr/bin/env bash
# bylaw audit verify on an intact store and on tampered copies; bylaw explain's errors.
set -u
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$root/examples/marketplace.jsonl" \
  --store "$work/audit.db" > /dev/null 2>&1 || fail "run"
out=$("$bylaw" audit verify --store "$work/audit.db") || fail "verify of an intact store: $out"
echo "$out" | grep -q "16 records, chain intact" || fail "intact: $out"
tamper() {  # tamper NAME SQL EXPECTED
  cp "$work/audit.db" "$work/$1.db"
  sqlite3 "$work/$1.db" "$2" || fail "sqlite3 $2"
  local message
  message=$("$bylaw" audit verify --store "$work/$1.db" 2>&1) && fail "$1: verify passed"
  echo "$message" | grep -q -- "$3" || fail "$1: '$message' does not say '$3'"
}
tamper edited "UPDATE records SET body = replace(body, 'e-015', 'e-016') WHERE seq = 3" "record 3 (decision d-[0-9a-f]*) was changed"
tamper deleted "DELETE FROM records WHERE seq = 5" "records 5 to 5 before record 6"
tamper swapped "UPDATE records SET seq = -1 WHERE seq = 8; UPDATE records SET seq = 8 WHERE seq = 9; UPDATE records SET seq = 9 WHERE seq = -1" "record 8 (.*) was reordered"
"$bylaw" explain --store "$work/audit.db" d-000000000000000000000000 2>&1 | grep -q "no decision 'd-000000000000000000000000' in the store" || fail "unknown id"
"$bylaw" explain --store "$work/missing.db" d-1 > /dev/null 2>&1 && fail "a missing store"
exit 0
