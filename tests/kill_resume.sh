#!/usr/bin/env bash
# Exactly-once across crashes (issue 6): `bylaw run --store` is killed with SIGKILL at random
# points of a 200k-event stream and rerun with the same command each time; the final output and
# rejects must equal, byte for byte, those of a run that never stopped (and of a run without a
# store). A run that was stopped with SIGTERM checkpoints and exits 0.
set -euo pipefail
bylaw=$1
gen=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
# The pack with mass_cancellation in shadow mode, so that the shadow output is checked too.
sed -e 's/mass_cancellation = enforce/mass_cancellation = shadow/' -e 's|"\.\./rules/|"'"$root"'/rules/|g' \
  "$root/policies/marketplace.policy" > "$work/pack.policy"
policy="$work/pack.policy"

"$gen" --events 200000 --freelancers 2000 --clients 2000 --seed 5 --bad-rate 0.01 > "$work/in.jsonl"
common=(--policy "$policy" --input "$work/in.jsonl" --max-lateness 2h)

# The reference: no store at all.
"$bylaw" run "${common[@]}" --output "$work/ref.jsonl" --rejects "$work/ref.rejects" \
  --shadow-output "$work/ref.shadow" --summary-json "$work/ref.summary" 2> "$work/ref.err" ||
  { cat "$work/ref.err"; fail "reference run"; }
[ -s "$work/ref.shadow" ] || fail "the stream makes no shadow decision"

counts() {  # the summary without its timings (and the memory it took)
  jq -c 'del(.seconds, .events_per_second, .peak_rss_mb)' "$1"
}

# The command that gets killed, rerun unchanged each time.
killed=(run "${common[@]}" --output "$work/out.jsonl" --rejects "$work/out.rejects"
  --shadow-output "$work/out.shadow" --store "$work/run.db" --checkpoint-every 5000
  --summary-json "$work/out.summary")

# The byte offset after each checkpoint the killed command takes before its end (one every 5000
# lines), for waiting on the store.
mapfile -t checkpoints < <(LC_ALL=C awk -v size="$(wc -c < "$work/in.jsonl")" \
  '{ n += length($0) + 1 } NR % 5000 == 0 && n < size { print n }' "$work/in.jsonl")
[ "${#checkpoints[@]}" -ge 30 ] || fail "only ${#checkpoints[@]} checkpoints in the stream"

# kill_target ADVANCE: the checkpoint (an index into $checkpoints) to kill the next attempt after:
# ADVANCE + 1 checkpoints past the one it resumes from.
kill_target() {
  local from next=0
  from=$(checkpoint "$work/run.db" input_offset)
  while [ -n "$from" ] && [ "$next" -lt "${#checkpoints[@]}" ] && [ "${checkpoints[next]}" -le "$from" ]; do
    next=$((next + 1))
  done
  local target=$((next + $1))
  local last=$((${#checkpoints[@]} - 1))
  echo $((target < last ? target : last))
}

# Kill points spread over the run: each attempt waits for the store to reach a checkpoint chosen
# at random, then SIGKILLs the run, which by then is writing that checkpoint's output or
# evaluating the lines after it. The first attempt waits only for the store to exist, so that
# it is most likely killed before any checkpoint.
RANDOM=$$
kills=0
attempts=0
resumed_lines=()
while [ "$kills" -lt 6 ] && [ "$attempts" -lt 40 ]; do
  attempts=$((attempts + 1))
  target=$(kill_target $((RANDOM % 6)))  # 1 to 6 checkpoints on: six kills stay within one run
  "$bylaw" "${killed[@]}" 2> "$work/attempt.err" &
  pid=$!
  if [ "$attempts" = 1 ]; then
    what="the store to exist"
    wait_for "$pid" "$what" test -s "$work/run.db" || true
  else
    what="the checkpoint at line $(((target + 1) * 5000))"
    wait_for "$pid" "$what" checkpoint_past "$work/run.db" "${checkpoints[target]}" || true
  fi
  kill -KILL "$pid" 2> /dev/null || true
  status=0
  wait "$pid" 2> /dev/null || status=$?
  case $status in
    137)
      kills=$((kills + 1))
      echo "killed after $what"
      ;;
    0) echo "finished before $what: the next attempt is a new run" ;;
    *) cat "$work/attempt.err"; fail "a run exited $status" ;;
  esac
  line=$(sed -n 's/.*resumed from the checkpoint after line \([0-9]*\).*/\1/p' "$work/attempt.err")
  if [ -n "$line" ]; then resumed_lines+=("$line"); fi
done
[ "$kills" -ge 5 ] || fail "only $kills of $attempts attempts were killed while running"

status=0
"$bylaw" "${killed[@]}" 2> "$work/last.err" || status=$?
[ "$status" = 0 ] || { cat "$work/last.err"; fail "the final rerun exited $status"; }
grep -q 'resumed from the checkpoint' "$work/last.err" || fail "the final rerun did not resume"
echo "resumed after lines: ${resumed_lines[*]:-none} $(grep -o 'after line [0-9]*' "$work/last.err")"
[ "${#resumed_lines[@]}" -ge 3 ] || fail "fewer than 3 reruns resumed mid-run: ${resumed_lines[*]:-}"

cmp "$work/ref.jsonl" "$work/out.jsonl" || fail "the decisions differ from an uninterrupted run"
cmp "$work/ref.rejects" "$work/out.rejects" || fail "the rejects differ from an uninterrupted run"
cmp "$work/ref.shadow" "$work/out.shadow" || fail "the shadow output differs from an uninterrupted run"
[ "$(counts "$work/ref.summary")" = "$(counts "$work/out.summary")" ] ||
  fail "the summaries differ: $(counts "$work/ref.summary") vs $(counts "$work/out.summary")"

# The audit store holds each decision once, and its chain is intact.
"$bylaw" audit verify --store "$work/run.db" > "$work/verify.out" 2>&1 ||
  { cat "$work/verify.out"; fail "the audit chain is broken"; }
decisions=$(wc -l < "$work/ref.jsonl")
stored=$(sqlite3 "$work/run.db" "SELECT count(*) FROM records WHERE kind != 'policy'")
[ "$stored" = "$decisions" ] || fail "the store holds $stored decisions, the output $decisions"

# Decisions reach an output only once their checkpoint is committed: killed while writing to
# standard output (which cannot be cut back), it holds exactly what the store says was
# committed, less at most the last checkpoint's own bytes if the kill came before they were out.
rm -f "$work/run.db"
"$bylaw" run "${common[@]}" --output - --store "$work/run.db" --checkpoint-every 5000 \
  > "$work/stdout.jsonl" 2> /dev/null &
pid=$!
wait_for "$pid" "the checkpoint at line 50000" checkpoint_past "$work/run.db" "${checkpoints[9]}" ||
  true
kill -KILL "$pid" 2> /dev/null || true
status=0
wait "$pid" 2> /dev/null || status=$?
[ "$status" = 137 ] || fail "the run to standard output exited $status before it was killed"
committed=$(checkpoint "$work/run.db" output_length)
pending=$(checkpoint "$work/run.db" "length(pending_output)")
size=$(wc -c < "$work/stdout.jsonl")
[ -n "$committed" ] && [ "$size" -le "$committed" ] && [ "$size" -ge $((committed - pending)) ] ||
  fail "standard output holds $size bytes; the store committed ${committed:-none} (last ${pending:-?})"
cmp -n "$size" "$work/stdout.jsonl" "$work/ref.jsonl" > /dev/null ||
  fail "standard output is not a prefix of the uninterrupted run's"

# SIGTERM: the current line is finished, a checkpoint taken, exit 0; the rerun completes it. It
# is sent once the run has taken its first checkpoint, well before its end.
rm -f "$work/run.db" "$work/out.jsonl"
"$bylaw" "${killed[@]}" 2> "$work/term.err" &
pid=$!
wait_for "$pid" "a first checkpoint" checkpoint_past "$work/run.db" 1 ||
  { cat "$work/term.err"; fail "SIGTERM: the run ended before its first checkpoint"; }
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" = 0 ] || { cat "$work/term.err"; fail "SIGTERM: exit $status"; }
grep -q 'stopped by a signal after line [0-9]*; checkpoint taken' "$work/term.err" ||
  fail "SIGTERM: no stop reported: $(cat "$work/term.err")"
grep -q 'lines read' "$work/term.err" || fail "SIGTERM: no summary"
"$bylaw" "${killed[@]}" 2> "$work/after_term.err" || fail "rerun after SIGTERM failed"
cmp "$work/ref.jsonl" "$work/out.jsonl" || fail "after SIGTERM: the decisions differ"

# SIGINT while waiting on a quiet pipe: it stops at once rather than waiting for a line. It is
# sent once the run has read the 10 lines and sleeps reading the pipe for more.
rm -f "$work/run.db"
mkfifo "$work/pipe"
"$bylaw" run --policy "$policy" --input "$work/pipe" --output "$work/pipe.out" \
  --store "$work/run.db" 2> "$work/int.err" &
pid=$!
exec 3> "$work/pipe"  # a writer that sends 10 lines, then nothing
head -n 10 "$work/in.jsonl" >&3
wait_for "$pid" "the run to wait on the quiet pipe" blocked_reading "$pid" "$work/pipe" ||
  { cat "$work/int.err"; fail "SIGINT: the run ended before it waited on the pipe"; }
kill -INT "$pid"
timeout "$wait_limit" tail --pid="$pid" -f /dev/null ||
  { kill -KILL "$pid"; fail "SIGINT on a quiet pipe: still running after ${wait_limit}s"; }
status=0
wait "$pid" || status=$?
exec 3>&-
[ "$status" = 0 ] || { cat "$work/int.err"; fail "SIGINT: exit $status"; }
grep -q 'stopped by a signal after line 10;' "$work/int.err" || fail "SIGINT: $(cat "$work/int.err")"
echo "ok: $kills kills"
