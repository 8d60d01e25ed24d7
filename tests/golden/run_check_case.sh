#!/usr/bin/env bash
# Runs `bylaw check --policy pack.policy` inside a golden case folder and compares the exit code
# and everything printed on standard error with expected.txt. UPDATE_GOLDEN=1 rewrites it.
set -u
bylaw=$1
case_dir=$2
cd "$case_dir" || exit 1
actual=$("$bylaw" check --policy pack.policy 2>&1 >/dev/null)
code=$?
actual=$(printf 'exit: %s\n%s' "$code" "$actual")
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
  printf '%s\n' "$actual" > expected.txt
  exit 0
fi
if [ ! -f expected.txt ]; then
  echo "missing $case_dir/expected.txt; actual output:"
  printf '%s\n' "$actual"
  exit 1
fi
if ! diff -u expected.txt <(printf '%s\n' "$actual"); then
  echo "golden mismatch in $case_dir (UPDATE_GOLDEN=1 ctest -R golden rewrites; review the diff)"
  exit 1
fi
