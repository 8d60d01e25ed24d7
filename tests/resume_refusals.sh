#!/usr/bin/env bash
# What a resume refuses, and what it allows (issue 6): a changed policy (unless
# --allow-policy-change, which reports what it left behind), another input, an output file that
# is not this run's; --restart starts over; standard output gets each decision once.
set -u
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
  # N is a multiple of 500: once the checkpoint after line N is in the store, every line sent
  # was read. Then stop it.
  local offset
  offset=$(head -n "$n" "$work/in.jsonl" | wc -c)
  local seen=""
  for _ in $(seq 400); do
    # Only once the run made the store: a reader creating it would race the run's schema.
    if [ -s "$work/run.db" ]; then
      seen=$(sqlite3 -cmd ".timeout 5000" "$work/run.db" "SELECT input_offset FROM checkpoint" 2> /dev/null)
      [ "$seen" = "$offset" ] && break
    fi
    sleep 0.05
  done
  [ "$seen" = "$offset" ] || echo "stop_after $n: no checkpoint at byte $offset yet (saw '$seen')"
  kill -TERM "$pid"
  wait "$pid" || { cat "$work/stop.err"; fail "the stopped run exited $?"; }
  exec 3>&-
  grep -q "stopped by a signal after line $n;" "$work/stop.err" || fail "not stopped at $n: $(cat "$work/stop.err")"
}

# resume EXPECTED_EXIT [ARGS...]: the same command, over the whole file this time.
resume() {
  local expected=$1
  shift
  "$bylaw" run --policy "$policy" --input "$work/in.jsonl" --store "$work/run.db" \
    --checkpoint-every 500 "$@" > "$work/stdout" 2> "$work/resume.err"
  local status=$?
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
grep -q "left behind" "$work/resume.err" && fail "a parameter change left state behind"
grep -q "resumed from the checkpoint after line 2500" "$work/resume.err" || fail "no resume"
# From line 2501 on, min_clients = 2: more holds than the reference, never fewer.
[ "$(grep -c '"kind":"hold"' "$work/out.jsonl")" -gt "$(grep -c '"kind":"hold"' "$work/ref.jsonl")" ] ||
  fail "the new parameter made no difference after the resume"
cmp -n "$(wc -c < "$work/ref.jsonl")" "$work/ref.jsonl" "$work/out.jsonl" > /dev/null &&
  fail "the output is unchanged"
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
"$bylaw" run --policy "$policy" --input "$work/other.jsonl" --output "$work/out.jsonl" \
  --store "$work/run.db" 2> "$work/resume.err"
[ $? = 1 ] || fail "another input was not refused"
grep -q "is not the input the checkpoint was taken on (line 2500 differs)" "$work/resume.err" ||
  fail "no input refusal: $(cat "$work/resume.err")"

# An output file that is not this run's (shorter than what was committed): refused.
: > "$work/out.jsonl"
resume 1 --output "$work/out.jsonl"
grep -q "it is not this run's output" "$work/resume.err" || fail "no output refusal: $(cat "$work/resume.err")"
resume 0 --output "$work/out.jsonl" --restart
grep -q "resumed" "$work/resume.err" && fail "--restart resumed"
cmp "$work/ref.jsonl" "$work/out.jsonl" || fail "--restart output differs"

# Standard output: what the first part wrote and what the resume wrote make the whole, once.
rm -f "$work/run.db"
stop_after 2500 - > "$work/first.stdout"
resume 0 --output -
cat "$work/first.stdout" "$work/stdout" | cmp - "$work/ref.jsonl" || fail "stdout: not each decision once"

# Options that need a store are refused without one.
"$bylaw" run --policy "$policy" --input "$work/in.jsonl" --restart > /dev/null 2> "$work/err"
[ $? = 1 ] && grep -q -- "--restart needs --store" "$work/err" || fail "--restart without --store"
"$bylaw" run --policy "$policy" --input "$work/in.jsonl" --store "$work/x.db" --checkpoint-every 0 \
  > /dev/null 2> "$work/err"
[ $? = 1 ] && grep -q -- "--checkpoint-every '0' is not a positive number" "$work/err" ||
  fail "--checkpoint-every 0"
echo ok
