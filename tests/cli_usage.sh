#!/usr/bin/env bash
# The command line (CLI11): help on standard output with exit 0, usage errors on standard error
# with exit 1 and the command's usage, repeated options and options that need another refused.
set -euo pipefail
bylaw=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # absolute: the last test changes folder
root=$2
source "$(dirname "$0")/script_prelude.sh"
cd "$root"

# expect CODE STDOUT_REGEX STDERR_REGEX ARGS...: bylaw ARGS exits CODE, and each stream matches
# its regular expression ("" for a stream that must be empty).
expect() {
  local code=$1 out_re=$2 err_re=$3 status=0
  shift 3
  "$bylaw" "$@" > "$work/out" 2> "$work/err" || status=$?
  [ "$status" = "$code" ] || fail "bylaw $*: exit $status, not $code: $(cat "$work/err")"
  for stream in out err; do
    local re=$out_re
    [ $stream = err ] && re=$err_re
    if [ -z "$re" ]; then
      [ ! -s "$work/$stream" ] || fail "bylaw $*: std$stream should be empty: $(cat "$work/$stream")"
    else
      grep -Eq -- "$re" "$work/$stream" || fail "bylaw $*: no '$re' in std$stream: $(cat "$work/$stream")"
    fi
  done
}

# Help: on standard output, exit 0, from every way of asking.
expect 0 "Subcommands:" "" --help
expect 0 "Subcommands:" "" -h
expect 0 "Subcommands:" "" help
expect 0 "Usage: bylaw run \[OPTIONS\]" "" run --help
expect 0 "--checkpoint-every N" "" run -h
expect 0 "Usage: bylaw audit verify" "" audit verify --help
expect 0 "^bylaw [0-9]+\.[0-9]+\.[0-9]+$" "" --version

# Usage errors: exit 1, the message and then the usage, on standard error only.
expect 1 "" "^bylaw: A subcommand is required" 
expect 1 "" "unknown command 'frobnicate'" frobnicate
expect 1 "" "^bylaw run: --policy is required" run
expect 1 "" "Usage: bylaw run \[OPTIONS\]" run
expect 1 "" "^bylaw check: --policy: At Most 1 required but received 2" \
  check --policy policies/marketplace.policy --policy policies/marketplace.policy
expect 1 "" "^bylaw fmt: --check: At Most 1 required but received 2" fmt --check --check
expect 1 "" "^bylaw run: --restart requires --store" run --policy p --restart
expect 1 "" "^bylaw run: --allow-policy-change requires --store" run --policy p --allow-policy-change
expect 1 "" "^bylaw run: --checkpoint-every requires --store" run --policy p --checkpoint-every 5
expect 1 "" "--max-lateness: '5x' is not a duration" run --policy p --max-lateness 5x
expect 1 "" "--max-per-key: '0' is not a positive number" run --policy p --max-per-key 0
expect 1 "" "--examples: '-1' is not a number" \
  backtest --policy a --baseline b --input c --examples -1
expect 1 "" "--format: pdf not in \{text,json,html\}" explain --store s d-1 --format pdf
expect 1 "" "ID excludes --subject" explain --store s d-1 --subject f-1
expect 1 "" "a decision id or --subject ACCOUNT is required" explain --store s
expect 1 "" "^bylaw run: The following argument was not expected: extra" \
  run --policy p extra
expect 1 "" "^bylaw audit: A subcommand is required" audit

# Scale-out (docs/scaling.md): the roles' own needs, checked before anything is opened.
pack=policies/marketplace.policy
expect 1 "" "--role: cluster not in \{single,router,worker\}" serve --policy "$pack" --role cluster
expect 1 "" "--role worker needs --nats" serve --policy "$pack" --role worker
expect 1 "" "--role worker takes no --store" \
  serve --policy "$pack" --role worker --nats nats://127.0.0.1:1 --store "$work/w.db"
expect 1 "" "--store is required \(but with --role worker\)" serve --policy "$pack" --role router
expect 1 "" "--role router needs --nats" serve --policy "$pack" --role router --store "$work/r.db"
expect 1 "" "--partitions: Value 0 not in range 1 to 4096" run --policy "$pack" --partitions 0
expect 1 "" "--threads: Value 0 not in range 1 to 256" run --policy "$pack" --threads 0
expect 1 "" "--partitions is for --role router or worker" \
  serve --policy "$pack" --store "$work/s.db" --partitions 8
expect 1 "" "--lease-time is for --role router or worker" \
  serve --policy "$pack" --store "$work/s.db" --role single --lease-time 3s

# `--` ends the options: what follows is a path, even when it looks like an option.
mkdir -p "$work/tree"
printf 'rule r {\n on   tick as t\n}\n' > "$work/tree/--check.rules"
(cd "$work/tree" && "$bylaw" fmt --check -- --check.rules > "$work/out" 2> "$work/err") &&
  fail "fmt --check -- --check.rules: the unformatted file should make it exit 1"
grep -qx -- "--check.rules" "$work/out" || fail "fmt --check -- --check.rules listed: $(cat "$work/out")"
echo ok
