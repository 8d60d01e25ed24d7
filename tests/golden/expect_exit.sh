#!/usr/bin/env bash
# expect_exit.sh [--output-matches REGEX]... CODE COMMAND...: passes when COMMAND exits with
# exactly CODE and, for each --output-matches, a line of its output (standard output and standard
# error together, as ctest's PASS_REGULAR_EXPRESSION reads them) matches the extended REGEX.
# bylaw's exit codes: 0 success, 1 any failure other than the policy (usage errors too), 2 a
# policy that does not load. ctest's WILL_FAIL would pass on any non-zero code, a crash included;
# PASS_REGULAR_EXPRESSION alone would ignore the code.
set -euo pipefail

usage() {
  echo "usage: expect_exit.sh [--output-matches REGEX]... CODE COMMAND..."
  exit 1
}

patterns=()
while [ "${1:-}" = --output-matches ]; do
  [ $# -ge 2 ] || usage
  patterns+=("$2")
  shift 2
done
[ $# -ge 2 ] || usage
want=$1
shift

output=$(mktemp)
trap 'rm -f "$output"' EXIT
got=0
"$@" > "$output" 2>&1 || got=$?
cat "$output"  # what the command said, for ctest -V and --output-on-failure

status=0
if [ "$got" != "$want" ]; then
  echo "expect_exit.sh: expected exit $want, got $got: $*"
  status=1
fi
for pattern in "${patterns[@]}"; do
  if ! grep -Eq -- "$pattern" "$output"; then
    echo "expect_exit.sh: no line of the output matches '$pattern'"
    status=1
  fi
done
exit "$status"
