#!/usr/bin/env bash
# Runs `bylaw test` on the failing policy test in golden/policy_test and compares the exit code
# and everything it prints with expected.txt. UPDATE_GOLDEN=1 rewrites it and prints the diff.
set -euo pipefail
bylaw=$1
source "$(dirname "$0")/../script_prelude.sh"
source "$(dirname "$0")/golden.sh"
cd "$(dirname "$0")/policy_test"
code=0
output=$("$bylaw" test failing.test 2>&1) || code=$?
# The file: the exit code, then the output (its trailing blank lines dropped).
printf '%s\n' "$(printf 'exit: %s\n%s' "$code" "$output")" > "$work/actual.txt"
compare_golden "$PWD/expected.txt" "$work/actual.txt"
exit "$golden_status"
