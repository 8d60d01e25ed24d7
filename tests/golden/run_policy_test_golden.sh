#!/usr/bin/env bash
# Runs `bylaw test` on the failing policy test in golden/policy_test and compares the exit code
# and everything it prints with expected.txt. UPDATE_GOLDEN=1 rewrites it.
set -u
bylaw=$1
cd "$(dirname "$0")/policy_test" || exit 1
actual=$("$bylaw" test failing.test 2>&1)
code=$?
actual=$(printf 'exit: %s\n%s' "$code" "$actual")
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
  printf '%s\n' "$actual" > expected.txt
  exit 0
fi
if ! diff -u expected.txt <(printf '%s\n' "$actual"); then
  echo "golden mismatch in policy_test (UPDATE_GOLDEN=1 ctest -R golden rewrites; review the diff)"
  exit 1
fi
