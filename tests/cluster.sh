#!/usr/bin/env bash
# Scale-out on a 3-node NATS cluster (docs/scaling.md): a router and workers over 8 partitions,
# JetStream streams and buckets with 3 replicas, all on loopback ports picked free, in a folder
# of the test's own. While the events go in: two workers join a first one, which gives them
# partitions they resume from its checkpoints; it is then killed with SIGKILL (its partitions
# move once its lease expires); a NATS node is stopped and started again; a 4th worker joins. The decisions stream then holds exactly the decisions of one `bylaw run` over the same
# events, each once, byte for byte (sorted by id).
#
# usage: cluster.sh GEN BYLAW BYLAW_NATS ROOT [EVENTS]   (EVENTS: 100000 by default)
# For measurements (README, docs/scaling.md): CLUSTER_FAULTS=0 leaves the faults out, and
# CLUSTER_WORKERS=N starts N workers; the script prints the elapsed time from the first event
# published to the last decision stored, and the CPU time of the router and of each worker.
set -u
gen=$1
bylaw=$2
tool=$3
root=$4
events=${5:-100000}
source "$(dirname "$0")/script_prelude.sh"
# A slower build (the sanitizers) on a busy machine takes minutes over 100k events.
wait_limit=${BYLAW_TEST_WAIT_SECONDS:-600}
pids=()
node_pids=(0 0 0)
trap 'kill -KILL "${pids[@]}" "${node_pids[@]}" 2> /dev/null; rm -rf "$work"' EXIT

# On failure, the end of every log, then why.
cluster_fail() {
  # The members' logs whole (up to 300 lines each: a stall shows in who took and gave up what,
  # and when), the brokers' last lines; the folder goes with the test.
  for log in "$work"/*.log; do
    echo "== $(basename "$log")"
    case "$(basename "$log")" in
      node*) tail -n 12 "$log" ;;
      *) tail -n 300 "$log" ;;
    esac
  done >&2
  # Where every stream and consumer stands, from the nodes' monitoring ports: which stage stopped
  # (the events consumer, the partitions' readers, the decisions) shows in their counts.
  for i in 0 1 2; do
    echo "== node$i: JetStream streams and consumers"
    curl -s --max-time 5 "http://127.0.0.1:${monitor_ports[$i]}/jsz?consumers=true" |
      jq -c '.account_details[]?.stream_detail[]? | {stream: .name, leader: .cluster.leader,
        messages: .state.messages, last: .state.last_seq, consumers: [.consumer_detail[]? |
        {name, leader: .cluster.leader, delivered: .delivered.stream_seq,
         acked: .ack_floor.stream_seq, pending: .num_pending, unacked: .num_ack_pending,
         waiting: .num_waiting, redelivered: .num_redelivered}]}' 2> /dev/null
  done >&2
  fail "$@"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
client_ports=("$(free_port)" "$(free_port)" "$(free_port)")
route_ports=("$(free_port)" "$(free_port)" "$(free_port)")
monitor_ports=("$(free_port)" "$(free_port)" "$(free_port)")
routes=$(printf 'nats://127.0.0.1:%s,' "${route_ports[@]}")
url=$(printf 'nats://127.0.0.1:%s,' "${client_ports[@]}")
url=${url%,}

# start_node I: node I of the cluster, with its own store; the first start and a restart alike.
start_node() {
  local i=$1
  nats-server -js -n "node$i" -a 127.0.0.1 -p "${client_ports[$i]}" -sd "$work/node$i" \
    --cluster_name bylaw-test --cluster "nats://127.0.0.1:${route_ports[$i]}" \
    --routes "${routes%,}" -m "${monitor_ports[$i]}" -l "$work/node$i.log" &
  node_pids[$i]=$!
}
stop_node() {
  kill -TERM "${node_pids[$1]}"
  wait "${node_pids[$1]}" 2> /dev/null
}
for i in 0 1 2; do start_node "$i"; done

# The cluster needs a JetStream leader before streams with 3 replicas can be made.
for attempt in $(seq 1 100); do
  "$tool" --server "$url" add-stream EVENTS 'events.>' --replicas 3 2> "$work/err" && break
  [ "$attempt" -eq 100 ] && fail "no JetStream cluster: $(cat "$work/err")"
  sleep 0.2
done
"$tool" --server "$url" add-stream DECISIONS 'bylaw.decisions.>' --replicas 3 || fail "DECISIONS"
"$tool" --server "$url" add-stream REJECTS bylaw.rejects --replicas 3 || fail "REJECTS"

pack="$root/policies/marketplace.policy"
"$gen" --events "$events" --freelancers 2000 --clients 2000 --seed 23 --bad-rate 0.01 \
  > "$work/events.jsonl"
"$bylaw" run --policy "$pack" --input "$work/events.jsonl" --output "$work/one.jsonl" 2> /dev/null ||
  fail "bylaw run failed"
expected=$(wc -l < "$work/one.jsonl")

cluster=(--nats "$url" --partitions 8 --replicas 3 --checkpoint-interval 100ms)
"$bylaw" serve --policy "$pack" --store "$work/router.db" --events-stream EVENTS --role router \
  "${cluster[@]}" 2> "$work/router.log" &
pid_router=$!
pids+=($!)
# start_worker NAME
start_worker() {
  "$bylaw" serve --policy "$pack" --role worker --worker-id "$1" --lease-time 2s "${cluster[@]}" \
    2> "$work/$1.log" &
  pids+=($!)
  eval "pid_$1=$!"
  live_workers="${live_workers:-} $!"
}
faults=${CLUSTER_FAULTS:-1}
workers=${CLUSTER_WORKERS:-3}
if [ "$faults" = 1 ]; then
  start_worker w1  # alone at first: the others take its partitions from its checkpoints
else
  for i in $(seq 1 "$workers"); do start_worker "w$i"; done
fi

# publish FROM TO: events FROM..TO (line numbers) to the events stream.
publish() {
  sed -n "$1,$2p" "$work/events.jsonl" | "$tool" --server "$url" publish events.all 2> /dev/null ||
    fail "publishing events $1..$2"
}
decisions() { "$tool" --server "$url" count DECISIONS 2> /dev/null || echo 0; }
# members_alive: the router and the workers not killed on purpose still run.
members_alive() {
  for pid in "$pid_router" ${live_workers:-}; do
    alive "$pid" || cluster_fail "a member exited before its time (pid $pid)"
  done
}
# wait_decisions N: until the decisions stream holds at least N. A count that stands still for
# two minutes is a stall, however slow the build.
wait_decisions() {
  local deadline=$((SECONDS + wait_limit)) count=0 last=-1 moved=$SECONDS
  while [ "$SECONDS" -lt "$deadline" ] && [ $((SECONDS - moved)) -lt 120 ]; do
    count=$(decisions)
    [ "$count" -ge "$1" ] && return 0
    [ "$count" -gt "$last" ] && last=$count moved=$SECONDS  # a failed count (0) is no movement
    members_alive
    sleep 0.2
  done
  cluster_fail "the decisions stream holds $last decisions, not $1 (none more for $((SECONDS - moved)) s, $wait_limit s at most)"
}

# cpu_seconds PID: user and system time so far.
cpu_seconds() {
  awk -v tck="$(getconf CLK_TCK)" '{ split($0, a, ") "); split(a[2], f, " "); printf "%.1f", (f[12] + f[13]) / tck }' \
    "/proc/$1/stat"
}

started=$(date +%s.%N)
quarter=$((events / 4))
# in_log NAME PATTERN: until the member's log has a line matching PATTERN.
in_log() {
  local deadline=$((SECONDS + wait_limit))
  while [ "$SECONDS" -lt "$deadline" ]; do
    grep -q "$2" "$work/$1.log" 2> /dev/null && return 0
    members_alive
    sleep 0.2
  done
  cluster_fail "$1 never logged '$2'"
}
if [ "$faults" = 1 ]; then
  publish 1 "$quarter"
  wait_decisions $((expected / 8))
  start_worker w2  # w1 gives partitions up at a checkpoint; w2 and w3 resume them from it
  start_worker w3
  in_log w2 'took partition [0-9]* (from its checkpoint'
  publish $((quarter + 1)) $((2 * quarter))
  kill -KILL "$pid_w1"  # its partitions wait for its lease to expire, then move
  live_workers=${live_workers/ $pid_w1/}
  stop_node 1
  sleep 1
  start_node 1
  publish $((2 * quarter + 1)) $((3 * quarter))
  start_worker w4
  in_log w4 'took partition'
  publish $((3 * quarter + 1)) "$events"
else
  publish 1 "$events"
fi
wait_decisions "$expected"
finished=$(date +%s.%N)
echo "cluster: $(awk -v a="$started" -v b="$finished" 'BEGIN { printf "%.1f", b - a }') s from the first event published to the last decision stored"
echo "cluster: CPU seconds: router $(cpu_seconds "$pid_router")$(for i in $(seq 1 "$workers") 4; do
  eval "pid=\${pid_w$i:-}"; [ -n "$pid" ] && [ -e "/proc/$pid" ] && printf ', w%s %s' "$i" "$(cpu_seconds "$pid")"; done)"
sleep 2  # what comes late would show here

"$tool" --server "$url" read DECISIONS > "$work/cluster.jsonl" || fail "reading DECISIONS"
sort "$work/cluster.jsonl" > "$work/cluster.sorted"
sort "$work/one.jsonl" > "$work/one.sorted"
sort -u "$work/cluster.sorted" > "$work/cluster.unique"
cmp -s "$work/cluster.unique" "$work/one.sorted" ||
  cluster_fail "the cluster decided otherwise than one engine: $(diff "$work/one.sorted" "$work/cluster.unique" | head -c 600)"
# Every decision is published with its id as Nats-Msg-Id, so JetStream stores it once. nats-server
# 2.9 (Debian 12's) can store a message twice when its stream's leader changes while a publish of
# it is retried (fixed in 2.11: nats-io/nats-server#6415, #6486): with a node restarted, a decision
# may then be there twice, byte for byte the same. Anything else twice is a failure.
twice=$(($(wc -l < "$work/cluster.sorted") - $(wc -l < "$work/cluster.unique")))
if [ "$twice" -gt 0 ]; then
  [ "$faults" = 1 ] || cluster_fail "$twice decisions stored twice without a node restarted"
  nats-server --version | grep -q 'v2\.9\.' ||
    cluster_fail "$twice decisions stored twice by $(nats-server --version), which dedupes across leader changes"
  echo "cluster: warning: $twice decisions stored twice across the node's restart (nats-server 2.9 dedupe, see above)"
fi
if [ "$faults" = 1 ]; then
  grep -q 'gave partition .* up' "$work/w1.log" || cluster_fail "w1 gave no partition up"
  stopping="w2 w3 w4"
else
  stopping=$(seq -f 'w%g' 1 "$workers")
fi

# SIGTERM: each member checkpoints, gives its partitions up and exits 0.
for name in $stopping; do
  eval "pid=\$pid_$name"
  kill -TERM "$pid"
  wait "$pid" || cluster_fail "worker $name exited $? on SIGTERM"
  grep -q 'stopped; partitions given up' "$work/$name.log" || cluster_fail "worker $name did not stop cleanly"
done
kill -TERM "$pid_router"
wait "$pid_router" || cluster_fail "the router exited $? on SIGTERM"
echo "cluster: $events events, $expected decisions, the same as one engine"
exit 0
