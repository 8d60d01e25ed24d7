# Sourced after script_prelude.sh by the NATS tests: a nats-server of the test's own (JetStream,
# the loopback address, a free port it picks, its data in $work/nats), stopped when the test
# ends; restart_nats stops it and starts it again on the same port with the same data. Also
# serve_pid, killed when the test ends, and nats_streams, which makes the three streams.
nats_pid=""
serve_pid=""
trap 'kill -KILL $serve_pid $nats_pid 2> /dev/null || true; rm -rf "$work"' EXIT

# start_nats [PORT]: port -1 (the default) lets the server pick a free one.
start_nats() {
  rm -f "$work/nats.log"
  nats-server -js -a 127.0.0.1 -p "${1:--1}" -sd "$work/nats" -l "$work/nats.log" &
  nats_pid=$!
  nats_ready() { grep -q "Server is ready" "$work/nats.log" 2> /dev/null; }
  wait_for "$nats_pid" "nats-server to start" nats_ready ||
    fail "nats-server did not start: $(cat "$work/nats.log")"
  nats_port=$(grep -o 'client connections on 127.0.0.1:[0-9]*' "$work/nats.log" | grep -o '[0-9]*$')
  nats_url=nats://127.0.0.1:$nats_port
}

stop_nats() {
  kill -TERM "$nats_pid"
  wait "$nats_pid" || true
}

restart_nats() {
  stop_nats
  start_nats "$nats_port"
}

# nats_streams TOOL: the events stream EVENTS (events.>), and DECISIONS and REJECTS capturing
# what bylaw serve publishes by default.
nats_streams() {
  "$1" --server "$nats_url" add-stream EVENTS 'events.>'
  "$1" --server "$nats_url" add-stream DECISIONS 'bylaw.decisions.>'
  "$1" --server "$nats_url" add-stream REJECTS bylaw.rejects
}
