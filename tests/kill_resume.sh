#!/usr/bin/env bash
# Exactly-once across crashes (issue 6): `bylaw run --store` is killed with SIGKILL at random
# points of a 200k-event stream and rerun with the same command each time; the final output and
# rejects must equal, byte for byte, those of a run that never stopped (and of a run without a
# store). A run that was stopped with SIGTERM checkpoints and exits 0.
set -u
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

counts() {  # the summary without its timings
  sed -E 's/,"seconds".*//' "$1"
}

# The command that gets killed, rerun unchanged each time.
killed=(run "${common[@]}" --output "$work/out.jsonl" --rejects "$work/out.rejects"
  --shadow-output "$work/out.shadow" --store "$work/run.db" --checkpoint-every 5000
  --summary-json "$work/out.summary")

# Kill points spread over the run: the delays are random, and logged for a failure's report.
RANDOM=$$
kills=0
attempts=0
resumed_lines=()
while [ "$kills" -lt 6 ] && [ "$attempts" -lt 40 ]; do
  attempts=$((attempts + 1))
  "$bylaw" "${killed[@]}" 2> "$work/attempt.err" &
  pid=$!
  delay=$(printf '0.%03d' $((RANDOM % 900 + 50)))
  sleep "$delay"
  if kill -0 "$pid" 2> /dev/null; then
    kill -KILL "$pid"
    wait "$pid" 2> /dev/null
    kills=$((kills + 1))
    echo "killed after ${delay}s"
  else
    wait "$pid"
    status=$?
    # It finished before the kill: the next attempt starts a new run from the beginning.
    [ "$status" = 0 ] || { cat "$work/attempt.err"; fail "a run exited $status"; }
    echo "finished within ${delay}s: the next attempt is a new run"
  fi
  line=$(grep -o 'resumed from the checkpoint after line [0-9]*' "$work/attempt.err" | grep -o '[0-9]*$')
  [ -n "$line" ] && resumed_lines+=("$line")
done
[ "$kills" -ge 5 ] || fail "only $kills of $attempts attempts were killed while running"

"$bylaw" "${killed[@]}" 2> "$work/last.err" || { cat "$work/last.err"; fail "the final rerun failed"; }
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
stored=$(sqlite3 "$work/run.db" "SELECT count(*) FROM records WHERE kind = 'decision'")
[ "$stored" = "$decisions" ] || fail "the store holds $stored decisions, the output $decisions"

# Decisions reach an output only once their checkpoint is committed: killed while writing to
# standard output (which cannot be cut back), it holds exactly what the store says was
# committed, less at most the last checkpoint's own bytes if the kill came before they were out.
rm -f "$work/run.db"
"$bylaw" run "${common[@]}" --output - --store "$work/run.db" --checkpoint-every 5000 \
  > "$work/stdout.jsonl" 2> /dev/null &
pid=$!
for _ in $(seq 200); do
  [ -s "$work/stdout.jsonl" ] && break
  sleep 0.02
done
sleep 0.2
kill -KILL "$pid"
wait "$pid" 2> /dev/null
read -r committed pending < <(sqlite3 -separator ' ' "$work/run.db" \
  "SELECT output_length, length(pending_output) FROM checkpoint")
size=$(wc -c < "$work/stdout.jsonl")
[ -n "$committed" ] && [ "$size" -le "$committed" ] && [ "$size" -ge $((committed - pending)) ] ||
  fail "standard output holds $size bytes; the store committed ${committed:-none} (last ${pending:-?})"
cmp -n "$size" "$work/stdout.jsonl" "$work/ref.jsonl" > /dev/null ||
  fail "standard output is not a prefix of the uninterrupted run's"

# SIGTERM: the current line is finished, a checkpoint taken, exit 0; the rerun completes it.
rm -f "$work/run.db" "$work/out.jsonl"
"$bylaw" "${killed[@]}" 2> "$work/term.err" &
pid=$!
sleep 0.3
kill -TERM "$pid"
wait "$pid"
status=$?
[ "$status" = 0 ] || { cat "$work/term.err"; fail "SIGTERM: exit $status"; }
grep -q 'stopped by a signal after line [0-9]*; checkpoint taken' "$work/term.err" ||
  fail "SIGTERM: no stop reported: $(cat "$work/term.err")"
grep -q 'lines read' "$work/term.err" || fail "SIGTERM: no summary"
"$bylaw" "${killed[@]}" 2> "$work/after_term.err" || fail "rerun after SIGTERM failed"
cmp "$work/ref.jsonl" "$work/out.jsonl" || fail "after SIGTERM: the decisions differ"

# SIGINT while waiting on a quiet pipe: it stops at once rather than waiting for a line.
rm -f "$work/run.db"
mkfifo "$work/pipe"
"$bylaw" run --policy "$policy" --input "$work/pipe" --output "$work/pipe.out" \
  --store "$work/run.db" 2> "$work/int.err" &
pid=$!
exec 3> "$work/pipe"  # a writer that sends nothing
head -n 10 "$work/in.jsonl" >&3
sleep 0.3
kill -INT "$pid"
timeout 10 tail --pid="$pid" -f /dev/null || fail "SIGINT on a quiet pipe: still running"
wait "$pid"
status=$?
exec 3>&-
[ "$status" = 0 ] || { cat "$work/int.err"; fail "SIGINT: exit $status"; }
grep -q 'stopped by a signal after line 10;' "$work/int.err" || fail "SIGINT: $(cat "$work/int.err")"
echo "ok: $kills kills"
