#!/usr/bin/env bash
# bylaw serve on NATS JetStream, against a real nats-server of the test's own: refusals when a
# stream is missing; the sample's decisions published to bylaw.decisions.<kind> with Nats-Msg-Id
# the decision id, exactly as `bylaw run` writes them; a reject to bylaw.rejects with id
# r-<sequence>; events acked once checkpointed; live answers; a restart of serve that repeats
# nothing; the broker restarted under a running serve (readiness says so, then it goes on); serve
# killed while JetStream has not acked a committed checkpoint's decisions.
set -euo pipefail
bylaw=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
nats_tool=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
root=$(cd "$3" && pwd)
source "$(dirname "$0")/script_prelude.sh"
source "$(dirname "$0")/nats_prelude.sh"
cd "$work"
policy=$root/policies/marketplace.policy
sample=$root/examples/marketplace.jsonl
tool() { "$nats_tool" --server "$nats_url" "$@"; }
start_nats

# Usage: --nats needs --events-stream, and excludes the file options.
serve=("$bylaw" serve --policy "$policy" --store store.db)
"${serve[@]}" --nats "$nats_url" 2> err && fail "--nats without --events-stream ran"
grep -q -- "--nats requires --events-stream" err || fail "no usage error: $(cat err)"
"${serve[@]}" --nats "$nats_url" --events-stream EVENTS --input x 2> err && fail "--input with --nats ran"
grep -q -- "--input excludes --nats" err || fail "no usage error: $(cat err)"

# Refused: no server there; then, saying what to create, no events stream, and no stream for the
# decisions.
"${serve[@]}" --nats nats://127.0.0.1:1 --events-stream EVENTS 2> err && fail "serve ran without a server"
grep -q "cannot connect to NATS at nats://127.0.0.1:1" err || fail "$(cat err)"
nats=(--nats "$nats_url" --events-stream EVENTS --checkpoint-interval 50ms)
"${serve[@]}" "${nats[@]}" 2> err && fail "serve ran without the events stream"
grep -q "has no JetStream stream 'EVENTS' to read events from: create it" err || fail "$(cat err)"
tool add-stream EVENTS 'events.>'
"${serve[@]}" "${nats[@]}" 2> err && fail "serve ran without a decisions stream"
grep -q "no JetStream stream captures 'bylaw.decisions.hold'" err || fail "$(cat err)"
[ ! -e store.db ] || fail "a refused start left a store behind"
tool add-stream DECISIONS 'bylaw.decisions.>'
tool add-stream REJECTS bylaw.rejects

# The sample, then one line that is not an event.
tool publish events.in < "$sample" 2> /dev/null
echo '{"specversion":"1.0"}' | tool publish events.in 2> /dev/null
"$bylaw" run --policy "$policy" --input <(cat "$sample"; echo '{"specversion":"1.0"}') \
  --output expected.jsonl --rejects expected_rejects.jsonl 2> /dev/null
lines=$(($(wc -l < "$sample") + 1))

start_serve() {
  [ ! -e serve.log ] || mv serve.log serve.log.before
  "${serve[@]}" "${nats[@]}" --http 127.0.0.1:0 2> serve.log &
  serve_pid=$!
  listening() { grep -q "HTTP listening on port" serve.log; }
  wait_for "$serve_pid" "the HTTP port" listening || fail "serve ended: $(cat serve.log)"
  port=$(grep -o 'HTTP listening on port [0-9]*' serve.log | grep -o '[0-9]*$')
}
acked_through() {  # acked_through N: the consumer acked every message up to N
  local info
  info=$(tool consumer EVENTS bylaw 2> /dev/null) || return 1
  [[ $info =~ unacked\ 0\ acked_through\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$1" ]
}
start_serve
wait_for "$serve_pid" "the sample's messages acked" acked_through "$lines" ||
  fail "serve ended: $(cat serve.log)"

# Decisions: the payloads are bylaw run's lines; subjects and ids from each decision.
tool read DECISIONS --headers > published.tsv
cut -f3 published.tsv | cmp - expected.jsonl || fail "the published decisions differ from bylaw run's"
while IFS=$'\t' read -r subject id payload; do
  [ "$subject" = "bylaw.decisions.$(jq -r .kind <<< "$payload")" ] || fail "subject $subject"
  [ "$id" = "$(jq -r .id <<< "$payload")" ] || fail "Nats-Msg-Id $id for $payload"
done < published.tsv
tool read REJECTS --headers > rejects.tsv
[ "$(cut -f1,2 rejects.tsv)" = "$(printf 'bylaw.rejects\tr-%s' "$lines")" ] || fail "rejects: $(cat rejects.tsv)"
cut -f3 rejects.tsv | cmp - expected_rejects.jsonl || fail "the reject differs from bylaw run's"

curl -sf "http://127.0.0.1:$port/readyz" > /dev/null || fail "not ready: $(curl -s "http://127.0.0.1:$port/readyz")"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^bylaw_input_lag 0' || fail "input lag"

# Live: one more event gets its answer while serve runs (arbitration asked for again, after the
# sample's last event).
question=$(grep -m1 '"arbitration.requested"' "$sample" | jq -c '.id = "e-live-1" | .time = "2027-05-22T12:00:00Z"')
echo "$question" | tool publish events.in 2> /dev/null
decided_live() { [ "$(tool read DECISIONS | wc -l)" -gt "$(wc -l < expected.jsonl)" ]; }
wait_for "$serve_pid" "the live event's decision" decided_live || fail "serve ended: $(cat serve.log)"
tool read DECISIONS | tail -1 | grep -q '"e-live-1"' || fail "the live decision: $(tool read DECISIONS | tail -1)"
decisions=$(tool read DECISIONS | wc -l)

# SIGTERM: exit 0; started again, it repeats nothing and goes on.
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "SIGTERM: exit $?: $(cat serve.log)"
start_serve
resumed() { grep -q "resumed from the checkpoint" serve.log; }
wait_for "$serve_pid" "serve to resume" resumed || fail "no resume: $(cat serve.log)"
# Resuming publishes whatever the checkpoint had not delivered before it says so: nothing here.
[ "$(tool read DECISIONS | wc -l)" = "$decisions" ] || fail "a restarted serve published again"

# The broker restarts under a running serve: not ready while it is away, then on again.
stop_nats
not_ready() { [ "$(curl -s -o body -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 503 ]; }
wait_for "$serve_pid" "/readyz to say the broker is away" not_ready || fail "serve ended: $(cat serve.log)"
grep -q "not connected to NATS" body || fail "/readyz: $(cat body)"
start_nats "$nats_port"
ready() { curl -sf "http://127.0.0.1:$port/readyz" > /dev/null; }
wait_for "$serve_pid" "/readyz after the broker came back" ready || fail "serve ended: $(cat serve.log)"
echo "$question" | jq -c '.id = "e-live-2" | .time = "2027-05-22T12:00:01Z"' | tool publish events.in 2> /dev/null
decided_again() { tool read DECISIONS | tail -1 | grep -q '"e-live-2"'; }
wait_for "$serve_pid" "a decision after the broker restart" decided_again || fail "serve ended: $(cat serve.log)"
[ "$(tool read DECISIONS | wc -l)" = $((decisions + 1)) ] || fail "decisions repeated or lost"
decisions=$((decisions + 1))

# Killed between a checkpoint's commit and JetStream's acks of its decisions: with no stream for
# the decisions (deleted), serve commits the event's checkpoint and then retries the publish.
# Killed there and started again once the stream is back, it publishes that checkpoint's decision
# again: the stream holds it once.
tool delete-stream DECISIONS
sequence=$(($(tool read EVENTS | wc -l) + 1))
echo "$question" | jq -c '.id = "e-unacked" | .time = "2027-05-22T12:00:02Z"' | tool publish events.in 2> /dev/null
waiting_for_acks() {
  [ "$(sqlite3 -cmd ".timeout 5000" store.db "SELECT input_offset, delivered FROM checkpoint" 2> /dev/null)" = "$sequence|0" ]
}
wait_for "$serve_pid" "a committed checkpoint whose decision is not acked" waiting_for_acks ||
  fail "serve ended: $(cat serve.log)"
retrying() { grep -q "not delivered yet; trying again" serve.log; }
wait_for "$serve_pid" "serve to retry the publish" retrying || fail "serve ended: $(cat serve.log)"
kill -KILL "$serve_pid"
wait "$serve_pid" 2> /dev/null || true
tool add-stream DECISIONS 'bylaw.decisions.>'
start_serve
decided_unacked() { [ "$(tool read DECISIONS | wc -l)" -ge 1 ]; }
wait_for "$serve_pid" "the unacked checkpoint's decision" decided_unacked || fail "serve ended: $(cat serve.log)"
wait_for "$serve_pid" "serve to resume" resumed || fail "no resume: $(cat serve.log)"
sleep 0.3  # time for a second copy, if there were one
[ "$(tool read DECISIONS | jq -r .trigger)" = e-unacked ] || fail "decisions: $(tool read DECISIONS)"
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "SIGTERM: exit $?: $(cat serve.log)"
