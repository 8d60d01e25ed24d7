#!/usr/bin/env bash
# What a resume refuses, and what it allows (issue 6): a changed policy (unless
# --allow-policy-change, which reports what it left behind), another input, an output file that
# is not this run's; --restart starts over; standard output gets each decision once.
set -euo pipefail
bylaw=$1
gen=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
trap 'echo "resume_refusals: stopped by a signal near line $LINENO"; exit 1' TERM INT HUP PIPE

"$gen" --events 6000 --freelancers 200 --clients 200 --seed 9 > "$work/in.jsonl"
mkdir -p "$work/policies"
cp -r "$root/rules" "$work/rules"
cp "$root/policies/marketplace.policy" "$work/policies/marketplace.policy"
policy="$work/policies/marketplace.policy"
"$bylaw" run --policy "$policy" --input "$work/in.jsonl" --output "$work/ref.jsonl" 2> /dev/null ||
  fail "reference run"

# stop_after N OUTPUT [ARGS...]: a run over a pipe that sends N lines and then nothing, stopped
# with SIGTERM: it leaves a checkpoint exactly after line N.
stop_after() {
  local n=$1 output=$2
  shift 2
  rm -f "$work/pipe"
  mkfifo "$work/pipe"
  "$bylaw" run --policy "$policy" --input "$work/pipe" --output "$output" --store "$work/run.db" \
    --checkpoint-every 500 "$@" 2> "$work/stop.err" &
  local pid=$!
  exec 3> "$work/pipe"
  head -n "$n" "$work/in.jsonl" >&3
  # Once the run sleeps reading the pipe, it has read every line sent; a signal sent earlier,
  # between its check for a stop and its read, would be seen only at the next line, never sent.
  wait_for "$pid" "the run to read $n lines and wait on the pipe" blocked_reading "$pid" "$work/pipe" ||
    { cat "$work/stop.err"; fail "stop_after $n: the run ended before it waited on the pipe"; }
  # N is a multiple of 500: the checkpoint after line N is in the store by then.
  local offset seen
  offset=$(head -n "$n" "$work/in.jsonl" | wc -c)
  seen=$(checkpoint "$work/run.db" input_offset)
  [ "$seen" = "$offset" ] || fail "stop_after $n: no checkpoint at byte $offset (the store has '$seen')"
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  exec 3>&-
  [ "$status" = 0 ] || { cat "$work/stop.err"; fail "the stopped run exited $status"; }
  grep -q "stopped by a signal after line $n;" "$work/stop.err" || fail "not stopped at $n: $(cat "$work/stop.err")"
}

# resume EXPECTED_EXIT [ARGS...]: the same command, over the whole file this time.
resume() {
  local expected=$1
  shift
  local status=0
  "$bylaw" run --policy "$policy" --input "$work/in.jsonl" --store "$work/run.db" \
    --checkpoint-every 500 "$@" > "$work/stdout" 2> "$work/resume.err" || status=$?
  [ "$status" = "$expected" ] || { cat "$work/resume.err"; fail "resume exited $status, not $expected"; }
}

# The pipe and the file hold the same bytes, so a checkpoint taken on one resumes on the other.
stop_after 2500 "$work/out.jsonl"
resume 0 --output "$work/out.jsonl"
grep -q "resumed from the checkpoint after line 2500" "$work/resume.err" || fail "no resume at 2500"
cmp "$work/ref.jsonl" "$work/out.jsonl" || fail "resumed output differs"

# A changed parameter: refused, with what to do.
rm -f "$work/run.db"
stop_after 2500 "$work/out.jsonl"
sed -i 's/min_clients = 3/min_clients = 2/' "$policy"
resume 1 --output "$work/out.jsonl"
grep -q "the policy changed since the checkpoint (marketplace@2026.11 [0-9a-f]* then, marketplace@2026.11 [0-9a-f]* now)" \
  "$work/resume.err" || fail "no policy-change refusal: $(cat "$work/resume.err")"
grep -q -- "--allow-policy-change" "$work/resume.err" || fail "the refusal does not say what to do"
# Allowed: the parameter changes no clause, so nothing is left behind.
resume 0 --output "$work/out.jsonl" --allow-policy-change
if grep -q "left behind" "$work/resume.err"; then fail "a parameter change left state behind"; fi
grep -q "resumed from the checkpoint after line 2500" "$work/resume.err" || fail "no resume"
# From line 2501 on, min_clients = 2: more holds than the reference, never fewer.
holds=$(count_where "$work/out.jsonl" '.kind == "hold"')
ref_holds=$(count_where "$work/ref.jsonl" '.kind == "hold"')
[ "$holds" -gt "$ref_holds" ] ||
  fail "the new parameter made no difference after the resume: $holds holds, $ref_holds before"
if cmp -n "$(wc -c < "$work/ref.jsonl")" "$work/ref.jsonl" "$work/out.jsonl" > /dev/null; then
  fail "the output is unchanged"
fi
cp "$root/policies/marketplace.policy" "$policy"

# A rule removed from the pack: allowed only when asked, and its state is reported left behind.
rm -f "$work/run.db"
stop_after 2500 "$work/out.jsonl"
sed -i -e 's|, "../rules/cancellations.rules"||' -e '/set mass_cancel_count/d' \
  -e 's/, mass_cancellation = enforce//' "$policy"
resume 1 --output "$work/out.jsonl"
resume 0 --output "$work/out.jsonl" --allow-policy-change
grep -q "policy changed: left behind rule mass_cancellation: its windows and indexes (the rule is gone)" \
  "$work/resume.err" || fail "the removed rule is not reported: $(cat "$work/resume.err")"
cp "$root/policies/marketplace.policy" "$policy"

# Another input: refused. The same input with --restart: a new run from the start.
rm -f "$work/run.db"
stop_after 2500 "$work/out.jsonl"
sed '2500s/"id":"/"id":"x/' "$work/in.jsonl" > "$work/other.jsonl"
status=0
"$bylaw" run --policy "$policy" --input "$work/other.jsonl" --output "$work/out.jsonl" \
  --store "$work/run.db" 2> "$work/resume.err" || status=$?
[ "$status" = 1 ] || fail "another input was not refused: exit $status"
grep -q "is not the input the checkpoint was taken on (line 2500 differs)" "$work/resume.err" ||
  fail "no input refusal: $(cat "$work/resume.err")"

# An output file that is not this run's (shorter than what was committed): refused.
: > "$work/out.jsonl"
resume 1 --output "$work/out.jsonl"
grep -q "it is not this run's output" "$work/resume.err" || fail "no output refusal: $(cat "$work/resume.err")"
resume 0 --output "$work/out.jsonl" --restart
if grep -q "resumed" "$work/resume.err"; then fail "--restart resumed"; fi
cmp "$work/ref.jsonl" "$work/out.jsonl" || fail "--restart output differs"

# Standard output: what the first part wrote and what the resume wrote make the whole, once.
rm -f "$work/run.db"
stop_after 2500 - > "$work/first.stdout"
resume 0 --output -
cat "$work/first.stdout" "$work/stdout" | cmp - "$work/ref.jsonl" || fail "stdout: not each decision once"

# refused MESSAGE ARGS...: `bylaw run ARGS...` exits 1 and says MESSAGE (an extended regex).
refused() {
  local message=$1 status=0
  shift
  "$bylaw" run "$@" > /dev/null 2> "$work/err" || status=$?
  [ "$status" = 1 ] || { cat "$work/err"; fail "$*: exit $status, not 1"; }
  grep -Eq -- "$message" "$work/err" || fail "$*: no '$message' in: $(cat "$work/err")"
}

# Options that need a store are refused without one; a bad count names its option.
refused "--restart requires --store" --policy "$policy" --input "$work/in.jsonl" --restart
refused "--checkpoint-every: '0' is not a positive number" --policy "$policy" \
  --input "$work/in.jsonl" --store "$work/x.db" --checkpoint-every 0
echo ok
