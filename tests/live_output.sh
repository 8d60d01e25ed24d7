#!/usr/bin/env bash
# Live answers: from a pipe, a decision goes out as soon as its event is evaluated, also while
# the input stays quiet (without a store at once; with one, within the checkpoint interval).
# SIGTERM and SIGINT lose nothing that was read: every line already read is evaluated and its
# decisions written, with and without a store, and the run exits 0.
set -euo pipefail
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
policy=$root/policies/marketplace.policy
sample=$root/examples/marketplace.jsonl

# The decisions one run over the whole sample makes, and the line that places the hold.
"$bylaw" run --policy "$policy" --input "$sample" --output "$work/all.jsonl" 2> /dev/null
hold_line=$(grep -n '"id":"e-015"' "$sample" | cut -d: -f1)
before_hold=$(head -n "$hold_line" "$sample" | "$bylaw" run --policy "$policy" 2> /dev/null | wc -l)

has_hold() { jq -e -s 'any(.[]; .kind == "hold")' "$1" > /dev/null 2>&1; }

# start_on_fifo CASE ARGS...: bylaw run ARGS reading the FIFO $work/CASE.pipe, writing
# $work/CASE.jsonl, logging to $work/CASE.log; the FIFO is held open on descriptor 3 and the
# run's pid is in $pid.
start_on_fifo() {
  local name=$1
  shift
  mkfifo "$work/$name.pipe"
  "$bylaw" run --policy "$policy" --input "$work/$name.pipe" --output "$work/$name.jsonl" "$@" \
    2> "$work/$name.log" &
  pid=$!
  exec 3> "$work/$name.pipe"
}

# live CASE ARGS...: feeds the sample up to the hold's event into a FIFO that stays open, and
# requires the hold in the output before any more input comes; then the rest, then closes it.
live() {
  local name=$1
  shift
  local out=$work/$name.jsonl
  start_on_fifo "$name" "$@"
  head -n "$hold_line" "$sample" >&3
  wait_for "$pid" "the hold on the output while the input is quiet ($name)" has_hold "$out" ||
    fail "$name: the run ended early: $(cat "$work/$name.log")"
  [ "$(wc -l < "$out")" = "$before_hold" ] || fail "$name: $(wc -l < "$out") decisions, not $before_hold"
  tail -n "+$((hold_line + 1))" "$sample" >&3
  exec 3>&-
  wait "$pid" || fail "$name: exit $?: $(cat "$work/$name.log")"
  cmp "$work/all.jsonl" "$out" || fail "$name: the live output differs from the file run's"
}
live plain
live stored --store "$work/live.db" --checkpoint-interval 100ms

# stop SIGNAL CASE ARGS...: the whole sample is written into the pipe, which then stays open
# (as `(cat sample; sleep) | bylaw run` does); once the run has read it all and waits, the
# signal: every decision of the sample must be out, and the exit 0.
stop() {
  local signal=$1 name=$2
  shift 2
  local out=$work/$name.jsonl
  start_on_fifo "$name" "$@"
  cat "$sample" >&3
  wait_for "$pid" "the run to read the sample and wait ($name)" blocked_reading "$pid" \
    "$work/$name.pipe" || fail "$name: the run ended early: $(cat "$work/$name.log")"
  kill "-$signal" "$pid"
  local status=0
  wait "$pid" || status=$?
  exec 3>&-
  [ "$status" = 0 ] || fail "$name: exit $status after SIG$signal: $(cat "$work/$name.log")"
  cmp "$work/all.jsonl" "$out" || fail "$name: SIG$signal lost decisions of lines already read"
  grep -q "52 lines read" "$work/$name.log" || fail "$name: not every line was read: $(cat "$work/$name.log")"
}
stop TERM term_plain
stop INT int_plain
stop TERM term_stored --store "$work/term.db"

# A stopped run on a FIFO is started again with the same command: a pipe cannot be read again,
# so it goes on with what the producer sends now; after a stop nothing read was lost.
mkfifo "$work/again.pipe"
half=$((hold_line + 5))
for part in first second; do
  "$bylaw" run --policy "$policy" --input "$work/again.pipe" --output "$work/again.jsonl" \
    --store "$work/again.db" 2> "$work/again.$part.log" &
  pid=$!
  exec 3> "$work/again.pipe"
  if [ $part = first ]; then head -n "$half" "$sample" >&3; else tail -n "+$((half + 1))" "$sample" >&3; fi
  if [ $part = first ]; then
    wait_for "$pid" "the first part to be read" blocked_reading "$pid" "$work/again.pipe" ||
      fail "the first part ended: $(cat "$work/again.first.log")"
    kill -TERM "$pid"
    wait "$pid" || fail "first part: exit $?: $(cat "$work/again.first.log")"
    exec 3>&-  # after the stop: the input has not ended, the run was stopped
  else
    exec 3>&-
    wait "$pid" || fail "second part: exit $?: $(cat "$work/again.second.log")"
  fi
done
grep -q "resumed from the checkpoint after line $half" "$work/again.second.log" ||
  fail "the second part did not resume: $(cat "$work/again.second.log")"
cmp "$work/all.jsonl" "$work/again.jsonl" || fail "a FIFO run stopped and started again differs"
echo ok
