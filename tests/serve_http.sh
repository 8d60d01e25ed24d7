#!/usr/bin/env bash
# bylaw serve through its HTTP side, with curl against the running process: health, readiness,
# metrics, the /v1/ API (401 without the token, 404 for an unknown id, search, paging, an
# account's view, the auditor's page), SIGHUP reloads (a broken pack refused, a changed one
# swapped in, later decisions naming its hash), and SIGTERM ending it with exit 0.
set -euo pipefail
bylaw=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$2" && pwd)
source "$(dirname "$0")/script_prelude.sh"
cd "$work"
cp -r "$root/policies" "$root/rules" .
sample=$root/examples/marketplace.jsonl
echo "s3cret-token" > token

mkfifo events
"$bylaw" serve --policy policies/marketplace.policy --store store.db --input events \
  --output decisions.jsonl --http 127.0.0.1:0 --api-token-file token \
  --checkpoint-interval 50ms 2> serve.log &
pid=$!
trap 'kill -KILL $pid 2> /dev/null || true; rm -rf "$work"' EXIT
exec 3> events
cat "$sample" >&3

listening() { grep -q "HTTP listening on port" serve.log; }
wait_for "$pid" "the HTTP port" listening || fail "serve ended: $(cat serve.log)"
port=$(grep -o 'HTTP listening on port [0-9]*' serve.log | grep -o '[0-9]*$')
base=http://127.0.0.1:$port
all_out() { [ "$(wc -l < decisions.jsonl)" = 15 ]; }
wait_for "$pid" "the sample's 15 decisions" all_out || fail "serve ended: $(cat serve.log)"

# status URL [CURL ARGS...]: the HTTP status; the body goes to ./body.
status() {
  local url=$1
  shift
  curl -s -o body -w '%{http_code}' "$@" "$base$url"
}
auth=(-H "Authorization: Bearer s3cret-token")

[ "$(status /healthz)" = 200 ] || fail "/healthz: $(cat body)"
[ "$(status /readyz)" = 200 ] && jq -e '.ready == true' body > /dev/null || fail "/readyz: $(cat body)"
[ "$(status /metrics)" = 200 ] || fail "/metrics"
for metric in 'bylaw_events_total{outcome="evaluated"} 50' 'bylaw_events_total{outcome="duplicate"} 1' \
  'bylaw_decisions_total{kind="hold",rule="negative_feedback_block"} 1' \
  'bylaw_evaluation_seconds_count 52' 'bylaw_checkpoint_age_seconds' 'bylaw_input_lag 0' \
  'bylaw_state_entries{kind="holds"}' 'bylaw_policy_info{name="marketplace",version="2026.11"' \
  'bylaw_rejects_total'; do
  grep -qF "$metric" body || fail "/metrics has no '$metric': $(cat body)"
done

# The API needs the token; the health endpoints did not.
[ "$(status /v1/decisions)" = 401 ] || fail "/v1/decisions without a token: $(cat body)"
[ "$(status /v1/decisions -H 'Authorization: Bearer wrong')" = 401 ] || fail "a wrong token passed"
[ "$(status /v1/decisions/d-000000000000000000000000 "${auth[@]}")" = 404 ] ||
  fail "an unknown id: $(cat body)"
hold=$(first_id decisions.jsonl '.kind == "hold"')
[ "$(status "/v1/decisions/$hold" "${auth[@]}")" = 200 ] || fail "the hold: $(cat body)"
cmp <(jq -c . body) <(grep "\"$hold\"" decisions.jsonl | jq -c .) || fail "the stored hold differs"
[ "$(status "/v1/decisions/$hold?format=html" "${auth[@]}")" = 200 ] && grep -q '<html' body ||
  fail "the auditor's page"
[ "$(status "/v1/decisions/$hold?audience=subject" "${auth[@]}")" = 200 ] || fail "the account's view"
! grep -q 'c-[0-9]' body || fail "the account's view names another party: $(cat body)"
[ "$(status "/v1/decisions/$hold?format=pdf" "${auth[@]}")" = 400 ] || fail "format=pdf: $(cat body)"

# Search: by kind, subject, rule, cited event, time; newest first; paged.
[ "$(status '/v1/decisions?kind=eligibility' "${auth[@]}")" = 200 ] || fail "search by kind"
[ "$(jq '.decisions | length' body)" = "$(count_where decisions.jsonl '.kind == "eligibility"')" ] ||
  fail "search by kind found $(jq '.decisions | length' body)"
status '/v1/decisions?subject=f-12&limit=3' "${auth[@]}" > /dev/null
[ "$(jq '.decisions | length' body)" = 3 ] && [ "$(jq -r '.next' body)" != null ] || fail "page 1: $(cat body)"
first_page=$(jq -r '[.decisions[].time] | join(" ")' body)
next=$(jq -r .next body)
[ "$(jq -r '[.decisions[].time] | . == (sort | reverse)' body)" = true ] || fail "not newest first"
status "/v1/decisions?subject=f-12&limit=3&after=$next" "${auth[@]}" > /dev/null
second_page=$(jq -r '[.decisions[].time] | join(" ")' body)
[ "$second_page" != "$first_page" ] && [ "$(jq '.decisions | length' body)" = 3 ] || fail "page 2: $(cat body)"
status "/v1/decisions?event=e-015" "${auth[@]}" > /dev/null
[ "$(jq -r '[.decisions[].id] | join(" ")' body)" = "$hold" ] || fail "the decisions citing e-015: $(cat body)"
status "/v1/decisions?rule=dispute_eligibility&from=2026-07-15T00:00:00Z&to=2026-07-20T11:00:00Z" \
  "${auth[@]}" > /dev/null
[ "$(jq -r '[.decisions[].subject] | join(" ")' body)" = k-203 ] || fail "rule and time range: $(cat body)"
[ "$(status '/v1/decisions?from=yesterday' "${auth[@]}")" = 400 ] || fail "a bad time: $(cat body)"
[ "$(status '/v1/decisions?frm=2026-01-01T00:00:00Z' "${auth[@]}")" = 400 ] &&
  grep -q "unknown parameter 'frm'" body || fail "a misspelled parameter: $(cat body)"
[ "$(status '/v1/decisions?kind=hold&kind=alert' "${auth[@]}")" = 400 ] || fail "a repeated parameter"
[ "$(status /v1/decisions -X POST --data '' "${auth[@]}")" = 405 ] || fail "POST: $(cat body)"
[ "$(status /v1/decisions -H 'Authorization: bearer s3cret-token')" = 200 ] ||
  fail "the scheme's name is case-insensitive"
[ "$(status '/v1/subjects/f-12' "${auth[@]}")" = 200 ] || fail "the account"
[ "$(jq '.active_holds | length' body)" = 0 ] && [ "$(jq '.history | length' body)" = 8 ] ||
  fail "f-12: $(cat body)"
grep -q 'c-[0-9]' body || fail "the auditor's view of f-12 should name the clients"
[ "$(status '/v1/subjects/f-12?audience=subject' "${auth[@]}")" = 200 ] || fail "f-12's own view"
[ "$(jq '.history | length' body)" = 8 ] && ! grep -q 'c-[0-9]' body ||
  fail "f-12's own view names another party: $(cat body)"
# Alerts are for staff: the account gets no view of them, alone or in its history.
alert=$(first_id decisions.jsonl '.kind == "alert" and .subject == "c-666"') || fail "no alert on c-666"
[ "$(status "/v1/decisions/$alert?audience=subject" "${auth[@]}")" = 404 ] ||
  fail "an alert's account view: $(cat body)"
[ "$(status "/v1/decisions/$alert" "${auth[@]}")" = 200 ] || fail "the alert for an auditor"
[ "$(status '/v1/subjects/c-666?audience=subject' "${auth[@]}")" = 200 ] &&
  [ "$(jq '[.history[] | select(.kind == "alert")] | length' body)" = 0 ] ||
  fail "c-666's own history shows an alert: $(cat body)"
# The auditors' pages are served here too, behind the same token.
[ "$(status '/audit/search?subject=f-12')" = 401 ] || fail "/audit without the token"
[ "$(status '/audit/search?subject=f-12' "${auth[@]}")" = 200 ] && grep -q '<p>8 decisions</p>' body ||
  fail "/audit/search: $(cat body)"

# Reload: a pack that does not check is refused, and the old one goes on.
old_hash=$(jq -r .policy_hash decisions.jsonl | head -1)
cp policies/marketplace.policy good.policy
echo "this is not a policy" >> policies/marketplace.policy
kill -HUP "$pid"
refused() { grep -q "the reloaded policy does not load" serve.log; }
wait_for "$pid" "the broken reload to be refused" refused || fail "serve ended: $(cat serve.log)"
status /readyz > /dev/null
jq -e '.ready == true and (.note | test("reload was refused"))' body > /dev/null ||
  fail "/readyz after a refused reload: $(cat body)"

# A pack whose event schema changed cannot take the state over: refused, the service goes on.
sed 's/^  kind: enum(fixed, hourly)/  kind: enum(fixed, hourly)\n  extra: string?/' "$root/rules/events.rules" \
  > rules/events.rules
cp good.policy policies/marketplace.policy
kill -HUP "$pid"
schema_refused() { grep -q "cannot take the state over" serve.log; }
wait_for "$pid" "the schema change to be refused" schema_refused || fail "serve ended: $(cat serve.log)"
cp "$root/rules/events.rules" rules/events.rules

# A pack that checks is swapped in; later decisions name it.
sed 's/min_clients = 3/min_clients = 4/' good.policy > policies/marketplace.policy
kill -HUP "$pid"
reloaded() { grep -q "policy reloaded: now" serve.log; }
wait_for "$pid" "the reload" reloaded || fail "serve ended: $(cat serve.log)"
new_hash=$(grep -o 'policy reloaded: now .*(sha256 [0-9a-f]*' serve.log | grep -o '[0-9a-f]*$')
[ -n "$new_hash" ] && [ "$new_hash" != "$old_hash" ] || fail "the reload kept the hash"
echo '{"specversion":"1.0","id":"e-901","source":"marketplace","type":"appeal.filed","time":"2027-06-01T00:00:00Z","data":{"subject":"f-12","hold":"proposals_blocked"}}' >&3
sixteen() { [ "$(wc -l < decisions.jsonl)" = 16 ]; }
wait_for "$pid" "the decision after the reload" sixteen || fail "serve ended: $(cat serve.log)"
[ "$(tail -1 decisions.jsonl | jq -r .policy_hash)" = "$new_hash" ] ||
  fail "a decision after the reload names $(tail -1 decisions.jsonl | jq -r .policy_hash)"
status /metrics > /dev/null
grep -q "hash=\"$new_hash\"" body || fail "/metrics names the old policy"

# The input ends: the service stays up for the API, and says it is not ready.
exec 3>&-
ended() { [ "$(status /readyz)" = 503 ] && jq -e '.reason == "the input has ended"' body > /dev/null; }
wait_for "$pid" "/readyz to say the input has ended" ended || fail "serve ended with its input"
[ "$(status /healthz)" = 200 ] || fail "/healthz after the input's end"

# SIGTERM: exit 0, and the store holds every decision.
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
[ "$code" = 0 ] || fail "serve exited $code after SIGTERM: $(cat serve.log)"
"$bylaw" audit verify --store store.db > /dev/null || fail "the audit chain"
[ "$(sqlite3 store.db "SELECT count(*) FROM records WHERE kind != 'policy'")" = 16 ] ||
  fail "the store does not hold the 16 decisions"
echo ok
