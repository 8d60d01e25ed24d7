#!/usr/bin/env bash
# The language's second edition through the real binary: a hold that cannot be appealed and
# expires by itself, an alert the account may read, the display texts in the account's view, and
# an author's own timer kept in the store from one run to the next.
set -euo pipefail
bylaw=$1
root=$(cd "$2" && pwd)
source "$(dirname "$0")/script_prelude.sh"
cat > "$work/demo.rules" <<RULES
use "$root/rules/events.rules", "$root/rules/holds.rules"

scope messaging "sending messages"
hold messaging_paused {
  display "Messaging paused"
  scope [messaging]
  not appealable
  expires after 30d
}
alert off_platform_payment { display "Payment outside the platform" shown to account }

rule off_platform {
  on message.sent as m
  where m.labels has off_platform_payment
  then alert off_platform_payment on m.sender severity high say "You asked to be paid outside the platform."
       hold messaging_paused on m.sender say "Your messages are paused for 30 days."
}
RULES
cat > "$work/demo.policy" <<PACK
policy demo version "1" {
  use "$root/rules/events.rules", "$root/rules/holds.rules", "demo.rules"
}
PACK
"$bylaw" check --policy "$work/demo.policy" > "$work/check" 2>&1 || { cat "$work/check"; fail "the demo pack does not check"; }
event() {  # event ID TIME TYPE DATA
  printf '{"specversion":"1.0","id":"%s","source":"t","type":"%s","time":"%s","data":%s}\n' "$1" "$3" "$2" "$4"
}
{
  event m-1 2026-03-01T10:00:00Z message.sent '{"contract":"k-1","sender":"f-1","recipient":"c-1","sender_role":"freelancer","labels":["off_platform_payment"]}'
  event a-1 2026-03-02T10:00:00Z appeal.filed '{"subject":"f-1","hold":"messaging_paused"}'
  event x-1 2026-03-31T10:00:00Z contract.started '{"contract":"k-2","client":"c-2","freelancer":"f-2","kind":"fixed","amount":10}'
} > "$work/in.jsonl"
"$bylaw" run --policy "$work/demo.policy" --input "$work/in.jsonl" --output "$work/d.jsonl" --store "$work/s.db" 2> "$work/err" ||
  { cat "$work/err"; fail "run"; }
kinds=$(jq -r '[.time, .kind, .name, (.trigger // "timer")] | join(" ")' "$work/d.jsonl")
want="2026-03-01T10:00:00Z alert off_platform_payment m-1
2026-03-01T10:00:00Z hold messaging_paused m-1
2026-03-02T10:00:00Z eligibility appeal a-1
2026-03-31T10:00:00Z release messaging_paused timer"
[ "$kinds" = "$want" ] || fail "decisions: $kinds"
hold=$(first_id "$work/d.jsonl" '.kind == "hold"')
release=$(first_id "$work/d.jsonl" '.kind == "release"')
alert=$(first_id "$work/d.jsonl" '.kind == "alert"')
[ "$(jq -c 'select(.kind == "hold") | [.appeal_eligible_at, .expires_at, .scope]' "$work/d.jsonl")" = \
  '[null,"2026-03-31T10:00:00Z",["messaging"]]' ] || fail "the hold's appeal, expiry or scope"
[ "$(jq -r 'select(.kind == "eligibility") | .reason' "$work/d.jsonl")" = no_active_hold ] ||
  fail "an appeal against a hold that cannot be appealed went ahead"
[ "$(jq -c 'select(.kind == "release") | [.rule, .evidence, .explanation.timer.name]' "$work/d.jsonl")" = \
  '["off_platform",[],"hold.expiry"]' ] || fail "the expiry's release"
"$bylaw" audit verify --store "$work/s.db" > /dev/null || fail "the store does not verify"
view() {  # view ID: the account's view of one decision, as JSON
  "$bylaw" explain --store "$work/s.db" "$1" --audience subject --format json
}
[ "$(view "$hold" | jq -r .what)" = 'The restriction "Messaging paused" was placed on your account on 1 March 2026, 10:00 UTC; it covers sending messages.' ] ||
  fail "the hold's view: $(view "$hold" | jq -r .what)"
[ "$(view "$hold" | jq -r .next)" = "This restriction cannot be appealed. It ends by itself on 31 March 2026, 10:00 UTC." ] ||
  fail "the hold's next step: $(view "$hold" | jq -r .next)"
[ "$(view "$release" | jq -r .what)" = 'The restriction "Messaging paused" on your account ended on 31 March 2026, 10:00 UTC.' ] ||
  fail "the release's view: $(view "$release" | jq -r .what)"
view "$release" | jq -e '.why | contains("was set to last 30 days; it has ended")' > /dev/null || fail "the release's why"
[ "$(view "$alert" | jq -r .title)" = "Payment outside the platform" ] || fail "an alert shown to the account has no view"
"$bylaw" explain --store "$work/s.db" "$release" > "$work/text"
grep -q "trigger.*none (the hold's expiry)" "$work/text" && grep -q "expires: placed_at + 30d" "$work/text" ||
  fail "the auditor's page of the expiry: $(cat "$work/text")"
# bylaw test checks the expiry too, to the instant.
cat > "$work/demo.test" <<'CASES'
policy "demo.policy"

test "the pause ends by itself 30 days after it was placed, and cannot be appealed"
  start 2026-03-01T10:00:00Z
  event +0d message.sent id=m-1 contract=k-1 sender=f-1 recipient=c-1 sender_role=freelancer labels=[off_platform_payment]
  event +1d appeal.filed id=a-1 subject=f-1 hold=messaging_paused
  event +30d contract.started id=x-1 contract=k-2 client=c-2 freelancer=f-2 kind=fixed amount=10
  expect alert off_platform_payment on f-1 at +0d
  expect hold messaging_paused on f-1 at +0d expires_at=2026-03-31T10:00:00Z
  expect eligibility appeal on f-1 at +1d eligible=false reason=no_active_hold
  expect release messaging_paused on f-1 at +30d trigger=timer
end

test "a wrong expiry is a failure"
  start 2026-03-01T10:00:00Z
  event +0d message.sent id=m-1 contract=k-1 sender=f-1 recipient=c-1 sender_role=freelancer labels=[off_platform_payment]
  expect alert off_platform_payment on f-1 at +0d
  expect hold messaging_paused on f-1 at +0d expires_at=+29d
end
CASES
status=0
"$bylaw" test "$work/demo.test" > "$work/test-out" 2>&1 || status=$?
[ "$status" = 1 ] && grep -q "1 passed, 1 failed" "$work/test-out" ||
  fail "bylaw test with expires_at (exit $status): $(cat "$work/test-out")"

# An author's timer: set on one day, cancelled for one contract, fired on a later day's run
# through the same store.
cat > "$work/timers.rules" <<RULES
use "$root/rules/events.rules"
rule reminder_set {
  on dispute.opened as d
  then schedule dispute_reminder on d.contract after 5d
}
rule reminder_dropped {
  on arbitration.requested as r
  then cancel dispute_reminder on r.contract
}
rule reminder {
  on timer dispute_reminder as t
  then alert dispute_stale on t.subject severity low
    say "A dispute opened on {t.set_at} has had no arbitration request."
}
RULES
printf 'policy timers version "1" {\n  use "timers.rules"\n}\n' > "$work/timers.policy"
{
  event d-1 2026-03-01T10:00:00Z dispute.opened '{"contract":"k-1","opened_by":"c-1","kind":"fixed","amount":50}'
  event d-2 2026-03-01T11:00:00Z dispute.opened '{"contract":"k-2","opened_by":"c-2","kind":"fixed","amount":50}'
  event r-2 2026-03-02T11:00:00Z arbitration.requested '{"contract":"k-2","requested_by":"c-2","amount":50}'
} > "$work/day1.jsonl"
event x-9 2026-03-09T00:00:00Z contract.started '{"contract":"k-9","client":"c-9","freelancer":"f-9","kind":"fixed","amount":10}' > "$work/day2.jsonl"
for day in day1 day2; do
  "$bylaw" run --policy "$work/timers.policy" --input "$work/$day.jsonl" --output "$work/$day.out" \
    --store "$work/timers.db" 2> "$work/$day.err" || { cat "$work/$day.err"; fail "$day"; }
done
[ ! -s "$work/day1.out" ] || fail "day 1 made decisions: $(cat "$work/day1.out")"
[ "$(jq -c '[.time, .subject, .trigger, .explanation.timer.name, .explanation.summary]' "$work/day2.out")" = \
  '["2026-03-06T10:00:00Z","k-1",null,"dispute_reminder","A dispute opened on 1 March 2026, 10:00 UTC has had no arbitration request."]' ] ||
  fail "the timer set on day 1: $(cat "$work/day2.out")"

# A rule on decision, through the shipped extended pack: the client's third flag within 90 days
# suspends it on that same event, in reaction to the alert, and the auditor's page says so.
{
  event f-1 2026-03-01T10:00:00Z message.sent '{"contract":"k-1","sender":"c-1","recipient":"f-1","sender_role":"client","labels":["refund_for_review"]}'
  event f-2 2026-03-20T10:00:00Z message.sent '{"contract":"k-2","sender":"c-1","recipient":"f-2","sender_role":"client","labels":["refund_for_review"]}'
  event f-3 2026-05-29T09:00:00Z message.sent '{"contract":"k-3","sender":"c-1","recipient":"f-3","sender_role":"client","labels":["refund_for_review"]}'
} > "$work/flags.jsonl"
"$bylaw" run --policy "$root/policies/extended.policy" --input "$work/flags.jsonl" \
  --output "$work/flags.out" --store "$work/flags.db" 2> "$work/flags.err" || { cat "$work/flags.err"; fail "extended"; }
suspended=$(first_id "$work/flags.out" '.name == "client_suspended"') || fail "no suspension: $(cat "$work/flags.out")"
alert3=$(first_id "$work/flags.out" '.name == "feedback_manipulation" and .trigger == "f-3"')
[ "$(jq -c 'select(.name == "client_suspended") | [.trigger, .evidence, .scope, .explanation.decision.fields.id]' "$work/flags.out")" = \
  "[\"f-3\",[\"f-1\",\"f-2\",\"f-3\"],[\"posting_jobs\"],\"$alert3\"]" ] || fail "the suspension: $(cat "$work/flags.out")"
"$bylaw" explain --store "$work/flags.db" "$suspended" > "$work/text"
grep -q "in reaction to.*alert feedback_manipulation $alert3" "$work/text" ||
  fail "the auditor's page of a reaction: $(cat "$work/text")"

# Rules that read each other's writes in a circle do not load, and the error names them.
cat > "$work/cycle.rules" <<RULES
use "$root/rules/events.rules"
rule watch_a {
  on message.sent as m
  where not held(m.sender, b_hold)
  then hold a_hold on m.sender not appealable say "a"
}
rule watch_b {
  on message.sent as m
  where not held(m.sender, a_hold)
  then hold b_hold on m.sender not appealable say "b"
}
RULES
printf 'policy cycle version "1" {\n  use "cycle.rules"\n}\n' > "$work/cycle.policy"
status=0
"$bylaw" check --policy "$work/cycle.policy" > "$work/cycle.out" 2>&1 || status=$?
[ "$status" = 2 ] && grep -q "rules watch_a, watch_b read what each other write on one event" "$work/cycle.out" ||
  fail "a cycle (exit $status): $(cat "$work/cycle.out")"
exit 0
