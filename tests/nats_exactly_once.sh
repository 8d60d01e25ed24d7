#!/usr/bin/env bash
# Exactly once through NATS JetStream: 200k generated events flow into the events stream in four
# parts while bylaw serve is killed with SIGKILL at random moments (three times) and the NATS
# server is restarted once under it. Once serve has caught up, the decisions stream must hold
# bylaw run's decisions over the same events, in order, each once, and nothing else.
set -euo pipefail
bylaw=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
nats_tool=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
gen_events=$3
root=$(cd "$4" && pwd)
source "$(dirname "$0")/script_prelude.sh"
source "$(dirname "$0")/nats_prelude.sh"
cd "$work"
policy=$root/policies/marketplace.policy
tool() { "$nats_tool" --server "$nats_url" "$@"; }
events=200000
seed=${BYLAW_TEST_SEED:-$RANDOM}
echo "seed $seed (BYLAW_TEST_SEED=$seed repeats this run's kill times)"
RANDOM=$seed

"$gen_events" --events "$events" --freelancers 20000 --clients 20000 --seed 11 > events.jsonl
"$bylaw" run --policy "$policy" --input events.jsonl --output expected.jsonl 2> /dev/null
split -n l/4 -d events.jsonl part.
start_nats
nats_streams "$nats_tool"

start_serve() {
  "$bylaw" serve --policy "$policy" --store store.db --nats "$nats_url" --events-stream EVENTS \
    --checkpoint-interval 20ms 2>> serve.log &
  serve_pid=$!
}
# kill_soon: SIGKILL after a random 50-800 ms, once serve has started reading.
kill_soon() {
  started() { [ -s store.db ]; }
  wait_for "$serve_pid" "serve to start" started || fail "serve ended: $(cat serve.log)"
  sleep "0.$(printf '%03d' $((50 + RANDOM % 750)))"
  kill -KILL "$serve_pid" 2> /dev/null || true
  wait "$serve_pid" 2> /dev/null || true
  echo "killed serve at $(checkpoint_sequence)"
}
checkpoint_sequence() { sqlite3 -cmd ".timeout 5000" store.db "SELECT input_offset FROM checkpoint" 2> /dev/null || true; }

tool publish events.in < part.00 2> /dev/null
start_serve
kill_soon
tool publish events.in < part.01 2> /dev/null
start_serve
kill_soon
start_serve
tool publish events.in < part.02 2> /dev/null
sleep "0.$(printf '%03d' $((100 + RANDOM % 500)))"
restart_nats  # under the running serve
kill_soon
tool publish events.in < part.03 2> /dev/null
start_serve

caught_up() {
  local info
  info=$(tool consumer EVENTS bylaw 2> /dev/null) || return 1
  [[ $info =~ pending\ 0\ unacked\ 0\ acked_through\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" = "$events" ]
}
# Catching up on the rest takes a while under the sanitizers: a wider limit than the default.
wait_limit=$((wait_limit * 3)) wait_for "$serve_pid" "serve to catch up" caught_up ||
  fail "serve ended: $(tail -20 serve.log)"
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "SIGTERM: exit $?"

tool read DECISIONS --headers > published.tsv
expected=$(wc -l < expected.jsonl)
[ "$expected" -gt 1000 ] || fail "only $expected decisions expected: not a test"
cut -f3 published.tsv > published.jsonl
if ! cmp -s published.jsonl expected.jsonl; then
  echo "published $(wc -l < published.jsonl) decisions, bylaw run made $expected" >&2
  diff <(cut -c1-120 expected.jsonl) <(cut -c1-120 published.jsonl) | head -20 >&2
  fail "the decisions stream is not bylaw run's decisions, each once"
fi
[ "$(cut -f2 published.tsv | sort | uniq -d | wc -l)" = 0 ] || fail "a Nats-Msg-Id repeats"
paste <(cut -f2 published.tsv) <(jq -r .id published.jsonl) | awk '$1 != $2 { exit 1 }' ||
  fail "a Nats-Msg-Id is not its decision's id"
echo "$expected decisions, each once, after 3 kills and a broker restart"
