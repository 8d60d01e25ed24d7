#!/usr/bin/env bash
# Runs `bylaw check --policy pack.policy` inside a golden case folder and compares the exit code
# and everything printed on standard error with expected.txt. UPDATE_GOLDEN=1 rewrites it and
# prints the diff.
set -euo pipefail
bylaw=$1
case_dir=$2
source "$(dirname "$0")/../script_prelude.sh"
source "$(dirname "$0")/golden.sh"
cd "$case_dir"
code=0
output=$("$bylaw" check --policy pack.policy 2>&1 > /dev/null) || code=$?
# The file: the exit code, then the diagnostics (their trailing blank lines dropped).
printf '%s\n' "$(printf 'exit: %s\n%s' "$code" "$output")" > "$work/actual.txt"
compare_golden "$PWD/expected.txt" "$work/actual.txt"
exit "$golden_status"
