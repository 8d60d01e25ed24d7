#!/usr/bin/env bash
# expect_exit.sh CODE COMMAND...: passes when COMMAND exits with CODE.
want=$1
shift
"$@"
got=$?
[ "$got" = "$want" ] || { echo "expected exit $want, got $got"; exit 1; }
