#!/usr/bin/env bash
# bylaw audit verify on an intact store and on tampered copies (every column, the evidence index,
# records cut off the end, a rewritten chain against an anchored head, signed heads); audit head,
# keygen and query; bylaw explain's errors.
set -u
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$root/examples/marketplace.jsonl" \
  --store "$work/audit.db" > "$work/decisions.jsonl" 2>&1 || fail "run"
out=$("$bylaw" audit verify --store "$work/audit.db") || fail "verify of an intact store: $out"
echo "$out" | grep -q "16 records, chain intact; head 16:[0-9a-f]\{64\}" || fail "intact: $out"
head=$("$bylaw" audit head --store "$work/audit.db") || fail "audit head"
[[ $head =~ ^16:[0-9a-f]{64}$ ]] || fail "audit head printed '$head'"

tamper() {  # tamper NAME SQL EXPECTED [VERIFY OPTIONS...]
  local name=$1 statement=$2 expected=$3
  shift 3
  cp "$work/audit.db" "$work/$name.db"
  sqlite3 "$work/$name.db" "$statement" || fail "sqlite3 $statement"
  local message
  message=$("$bylaw" audit verify --store "$work/$name.db" "$@" 2>&1) && fail "$name: verify passed: $message"
  echo "$message" | grep -q -- "$expected" || fail "$name: '$message' does not say '$expected'"
}
changed="record 3 ([a-z]* d-[0-9a-f]*) was changed"
# Every column a reader uses: explain, the search, the API.
tamper subject "UPDATE records SET subject = 'f-999' WHERE seq = 3" "$changed"
tamper time "UPDATE records SET time = '2026-01-01T00:00:00Z' WHERE seq = 3" "$changed"
tamper time_us "UPDATE records SET time_us = 0 WHERE seq = 3" "$changed"
tamper name "UPDATE records SET name = 'other' WHERE seq = 3" "$changed"
tamper kind "UPDATE records SET kind = 'alert' WHERE seq = 3" "$changed"
tamper rule "UPDATE records SET rule = 'other' WHERE seq = 3" "$changed"
tamper key "UPDATE records SET key = 'd-000' WHERE seq = 3" "record 3 (hold d-000) was changed"
tamper body "UPDATE records SET body = replace(body, 'e-015', 'e-016') WHERE seq = 3" "$changed"
tamper prev_hash "UPDATE records SET prev_hash = hash WHERE seq = 3" "record 3 (.*) does not follow record 2"
tamper hash "UPDATE records SET hash = prev_hash WHERE seq = 3" "$changed"
tamper deleted "DELETE FROM records WHERE seq = 5" "records 5 to 5 before record 6"
tamper swapped "UPDATE records SET seq = -1 WHERE seq = 8; UPDATE records SET seq = 8 WHERE seq = 9; UPDATE records SET seq = 9 WHERE seq = -1" "record 8 (.*) was reordered: it follows record 9"
# The evidence index: a row removed, added, changed, or left without its decision.
hold=$(first_id "$work/decisions.jsonl" '.kind == "hold"') || fail "no hold"
tamper evidence_removed "DELETE FROM evidence WHERE decision_id = '$hold' AND event_id = 'e-015'" \
  "the evidence index lost row ($hold, e-015)"
tamper evidence_added "INSERT INTO evidence VALUES ('$hold', 'e-077')" \
  "the evidence index has row ($hold, e-077) but record 3 (hold $hold) does not cite e-077"
tamper evidence_changed "UPDATE evidence SET event_id = 'e-077' WHERE decision_id = '$hold' AND event_id = 'e-004'" \
  "the evidence index lost row ($hold, e-004)"
tamper evidence_orphan "INSERT INTO evidence VALUES ('d-none', 'e-001')" \
  "the evidence index has row (d-none, e-001) but no decision d-none exists"
# The newest records cut off: only an anchored head kept elsewhere tells.
cp "$work/audit.db" "$work/cut.db"
cut="DELETE FROM records WHERE seq > 14; DELETE FROM evidence WHERE decision_id NOT IN (SELECT key FROM records)"
sqlite3 "$work/cut.db" "$cut" || fail "cut"
"$bylaw" audit verify --store "$work/cut.db" > /dev/null || fail "a cut store verifies without a head"
tamper cut "$cut" "the chain ends at record 14, before the anchored head $head" --head "$head"
# The whole chain rewritten from record 5 on, consistently: only the head shows it. (A store
# rebuilt by a run over an edited stream is such a rewrite.)
sed 's/"id":"e-015"/"id":"e-915"/' "$root/examples/marketplace.jsonl" > "$work/edited.jsonl"
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/edited.jsonl" \
  --store "$work/rewritten.db" > /dev/null 2>&1 || fail "run over the edited stream"
"$bylaw" audit verify --store "$work/rewritten.db" > /dev/null || fail "the rewritten store verifies alone"
message=$("$bylaw" audit verify --store "$work/rewritten.db" --head "$head" 2>&1) && fail "a rewritten chain passed --head"
echo "$message" | grep -q "no longer holds the anchored head $head" || fail "rewritten: $message"
"$bylaw" audit verify --store "$work/audit.db" --head "$head" | grep -q "anchored head $head is in the chain" \
  || fail "the intact store and its head"
"$bylaw" audit verify --store "$work/audit.db" --head 16:abc 2>&1 | grep -q "expected SEQ:HASH" || fail "a bad --head"

# Signed heads: with bylaw's keys and with OpenSSL's.
"$bylaw" audit keygen --private-key "$work/k.pem" --public-key "$work/p.pem" > /dev/null || fail "keygen"
[ "$(stat -c %a "$work/k.pem")" = 600 ] || fail "the private key is readable by others"
"$bylaw" audit keygen --private-key "$work/k.pem" --public-key "$work/p2.pem" 2>&1 | grep -q "cannot create '$work/k.pem': File exists" \
  || fail "keygen overwrote a key"
head -n 20 "$root/examples/marketplace.jsonl" > "$work/day1.jsonl"
tail -n +21 "$root/examples/marketplace.jsonl" > "$work/day2.jsonl"
for day in day1 day2; do
  "$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/$day.jsonl" --store "$work/signed.db" \
    --signing-key "$work/k.pem" > /dev/null 2>&1 || fail "signed run $day"
done
out=$("$bylaw" audit verify --store "$work/signed.db" --public-key "$work/p.pem") || fail "signed verify: $out"
echo "$out" | grep -q "every one signed by the key; the newest at record 16" || fail "signed: $out"
[ "$(sqlite3 "$work/signed.db" 'SELECT count(*) FROM heads')" -ge 2 ] || fail "one signed head per run at least"
cp "$work/signed.db" "$work/audit.db"  # tamper() copies audit.db
tamper unsigned_tail "DELETE FROM heads WHERE seq = (SELECT max(seq) FROM heads)" "records [0-9]* to 16 are not covered by a head signed with the key" --public-key "$work/p.pem"
tamper bad_signature "UPDATE heads SET signature = (CASE WHEN substr(signature, 1, 1) = '0' THEN '1' ELSE '0' END) || substr(signature, 2) WHERE seq = (SELECT max(seq) FROM heads)" "has a bad signature" --public-key "$work/p.pem"
tamper head_moved "UPDATE heads SET hash = (SELECT hash FROM records WHERE seq = 2) WHERE seq = (SELECT max(seq) FROM heads)" "signed head .* is not in the chain"
if command -v openssl > /dev/null; then
  openssl genpkey -algorithm ed25519 -out "$work/ossl.pem" 2> /dev/null || fail "openssl genpkey"
  openssl pkey -in "$work/ossl.pem" -pubout -out "$work/ossl.pub" 2> /dev/null || fail "openssl pkey"
  tamper other_key "UPDATE meta SET value = value WHERE 0" "signed by another key" --public-key "$work/ossl.pub"
  "$bylaw" run --policy "$root/policies/marketplace.policy" --input "$root/examples/marketplace.jsonl" \
    --store "$work/ossl.db" --signing-key "$work/ossl.pem" > /dev/null 2>&1 || fail "run signed by an openssl key"
  "$bylaw" audit verify --store "$work/ossl.db" --public-key "$work/ossl.pub" > /dev/null || fail "openssl's key"
fi
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/day1.jsonl" --store "$work/x.db" \
  --signing-key "$work/missing.pem" 2>&1 | grep -q "signing-key: cannot read '$work/missing.pem'" || fail "a missing key"
"$bylaw" audit verify --store "$work/signed.db" --public-key "$work/day1.jsonl" 2>&1 | grep -q "is not a PEM key" \
  || fail "a public key that is not one"

# audit query: filters, newest first by the instant (not the text), formats, pages.
query() { "$bylaw" audit query --store "$work/signed.db" "$@"; }
query --subject f-12 --format jsonl > "$work/f-12.jsonl" || fail "query --subject"
[ "$(wc -l < "$work/f-12.jsonl")" = 8 ] || fail "f-12 has 8 decisions: $(cat "$work/f-12.jsonl")"
[ "$(jq -r .time "$work/f-12.jsonl")" = "$(jq -r .time "$work/f-12.jsonl" | sort -r)" ] || fail "not newest first"
query --event e-015 --format jsonl | jq -e -s "map(.id) | index(\"$hold\") != null" > /dev/null ||
  fail "the hold cites e-015"
query --kind hold --format json | jq -e 'length == 1 and .[0].subject == "f-12"' > /dev/null || fail "query --kind hold"
[ "$(query --subject f-12 --active-holds | wc -l)" = 0 ] || fail "f-12's hold was released"
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/day1.jsonl" --store "$work/day1.db" \
  > /dev/null 2>&1 || fail "run day1"
"$bylaw" audit query --store "$work/day1.db" --active-holds | grep -q "f-12  hold proposals_blocked  (negative_feedback_block, $hold)" ||
  fail "after day 1, f-12 is held: $("$bylaw" audit query --store "$work/day1.db" --active-holds)"
query --subject f-12 --limit 3 > "$work/page1" 2> "$work/page1.err" || fail "a first page"
after=$(grep -o -- '--after [0-9.]*' "$work/page1.err" | cut -d' ' -f2) || fail "no next page: $(cat "$work/page1.err")"
query --subject f-12 --after "$after" > "$work/page2" || fail "the next page"
[ "$(cat "$work/page1" "$work/page2" | wc -l)" = 8 ] && [ "$(cat "$work/page1" "$work/page2" | sort -u | wc -l)" = 8 ] ||
  fail "two pages do not hold f-12's 8 decisions once each"
query --from yesterday 2>&1 | grep -q "expected an RFC 3339 time or YYYY-MM-DD" || fail "a bad --from"
query --after 12 2>&1 | grep -q "not the \`next\` of an earlier page" || fail "a bad --after"
# 08:00:00.500Z is after 08:00:00Z, though it sorts before it as text.
for t in 2026-06-01T08:00:00Z 2026-06-01T08:00:00.500Z; do
  echo "{\"specversion\":\"1.0\",\"id\":\"x-$t\",\"source\":\"m\",\"type\":\"appeal.filed\",\"time\":\"$t\",\"data\":{\"subject\":\"f-9\",\"hold\":\"proposals_blocked\"}}"
done > "$work/fractions.jsonl"
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/fractions.jsonl" --store "$work/fractions.db" \
  > /dev/null 2>&1 || fail "run fractions"
[ "$("$bylaw" audit query --store "$work/fractions.db" --subject f-9 --format jsonl | jq -r .trigger | head -n 1)" = "x-2026-06-01T08:00:00.500Z" ] ||
  fail "the later instant does not come first"
[ "$("$bylaw" audit query --store "$work/fractions.db" --from 2026-06-01T08:00:00.250Z | wc -l)" = 1 ] ||
  fail "--from compares instants"
"$bylaw" explain --store "$work/fractions.db" --subject f-9 | grep -A1 "08:00:00Z" | grep -q "08:00:00.500Z" ||
  fail "explain --subject orders by the instant: $("$bylaw" explain --store "$work/fractions.db" --subject f-9)"

"$bylaw" explain --store "$work/signed.db" d-000000000000000000000000 2>&1 | grep -q "no decision 'd-000000000000000000000000' in the store" || fail "unknown id"
"$bylaw" explain --store "$work/missing.db" d-1 > /dev/null 2>&1 && fail "a missing store"
exit 0
