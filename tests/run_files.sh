#!/usr/bin/env bash
# The operator conventions of `bylaw run`: "-" is standard output or refused, never a file named
# "-"; an input that is also an output is refused before anything is written; every output is
# checked writable before the first event; file errors name the path and the system's reason;
# a store in use by another run says so; --rejects-include lists duplicates and skipped lines;
# --log-format json logs one JSON object per line.
set -euo pipefail
bylaw=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # absolute: the test works in $work
root=$(cd "$2" && pwd)
source "$(dirname "$0")/script_prelude.sh"
policy=$root/policies/marketplace.policy
sample=$root/examples/marketplace.jsonl
cd "$work"

# refused MESSAGE ARGS...: bylaw run ARGS exits 1 saying MESSAGE (an extended regex).
refused() {
  local message=$1 status=0
  shift
  "$bylaw" run --policy "$policy" "$@" > out.txt 2> err.txt || status=$?
  [ "$status" = 1 ] || fail "run $*: exit $status, not 1: $(cat err.txt)"
  grep -Eq -- "$message" err.txt || fail "run $*: no '$message' in: $(cat err.txt)"
}

cp "$sample" in.jsonl
refused "the output 'in.jsonl' is the input itself" --input in.jsonl --output in.jsonl
cmp "$sample" in.jsonl || fail "the input was changed"
refused "the rejects 'in.jsonl' is the input itself" --input in.jsonl --rejects in.jsonl
cmp "$sample" in.jsonl || fail "the input was changed by --rejects"
ln -s in.jsonl link.jsonl
refused "is the input itself" --input link.jsonl --output in.jsonl
refused "the output and the rejects cannot both go to standard output" --input in.jsonl --rejects -
refused "the output 'a.out' and the shadow output 'a.out' are the same file" \
  --input in.jsonl --output a.out --shadow-output a.out
[ ! -e a.out ] || fail "a refused run wrote its output"
mkdir locked && chmod 500 locked
if [ ! -w locked ]; then  # root writes anywhere: the check needs a user it binds
  refused "cannot write the summary 'locked/s.json': Permission denied" \
    --input in.jsonl --output b.out --summary-json locked/s.json
  [ ! -e b.out ] || fail "the output was written before the summary's folder was found unwritable"
fi
refused "cannot write the summary 'missing/s.json': No such file or directory" \
  --input in.jsonl --output b.out --summary-json missing/s.json
[ ! -e b.out ] || fail "the output was written before the summary's path was found unwritable"
refused "cannot read input 'nope.jsonl': No such file or directory" --input nope.jsonl
# Devices are not files that two outputs could overwrite each other in.
"$bylaw" run --policy "$policy" --input in.jsonl --output /dev/null --rejects /dev/null \
  --shadow-output /dev/null 2> null.log || fail "/dev/null for every output: $(cat null.log)"
refused "the store cannot be standard output" --input in.jsonl --output c.out --store -
[ ! -e ./- ] && [ ! -e c.out ] || fail "--store - made a file"

# "-" goes to standard output, never to a file named "-".
"$bylaw" run --policy "$policy" --input in.jsonl --output decisions.jsonl --rejects - \
  --rejects-include duplicate,skipped > rejects.txt 2> /dev/null
[ ! -e ./- ] || fail "a file named - was made"
[ "$(jq -r .reason rejects.txt | sort | tr '\n' ' ')" = "duplicate skipped " ] ||
  fail "--rejects-include listed: $(jq -r .reason rejects.txt)"
"$bylaw" run --policy "$policy" --input in.jsonl --output decisions.jsonl --summary-json - \
  > summary.txt 2> /dev/null
[ "$(jq .lines summary.txt)" = 52 ] && [ "$(jq .duplicates summary.txt)" = 1 ] ||
  fail "the summary on standard output: $(cat summary.txt)"
[ ! -e ./- ] || fail "a file named - was made"

# --log-format json: every line of the log is one JSON object with a level and a message.
"$bylaw" run --policy "$policy" --input in.jsonl --output decisions.jsonl --store s.db \
  --log-format json 2> log.txt
jq -e -s 'length > 0 and all(.[]; has("time") and has("level") and has("message"))' log.txt \
  > /dev/null || fail "the log is not JSON lines: $(cat log.txt)"

# One writer per store: a second run on a store in use is refused, saying so.
mkfifo pipe
"$bylaw" run --policy "$policy" --input pipe --output held.jsonl --store busy.db 2> held.log &
pid=$!
exec 3> pipe
head -3 in.jsonl >&3
wait_for "$pid" "the first run to wait on its input" blocked_reading "$pid" pipe ||
  fail "the first run ended: $(cat held.log)"
refused "the store 'busy.db' is in use by another bylaw run or serve" \
  --input in.jsonl --output other.jsonl --store busy.db
exec 3>&-
wait "$pid" || fail "the first run failed: $(cat held.log)"
echo ok
