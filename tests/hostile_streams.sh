#!/usr/bin/env bash
# Hostile and broken input lines (issue 6): each line is evaluated or rejected with a reason,
# nothing crashes or hangs, and every run's summary adds up.
set -euo pipefail
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
policy="$root/policies/marketplace.policy"

event() {  # event ID TIME AMOUNT [CONTRACT]: one contract.started line, without its line end
  printf '{"specversion":"1.0","id":"%s","source":"t","type":"contract.started","time":"%s",' "$1" "$2"
  printf '"data":{"contract":"%s","client":"c-1","freelancer":"f-1","kind":"fixed","amount":%s}}' \
    "${4:-k-1}" "$3"
}

count() {  # count KEY: a number from the last run's summary
  jq ".$1" "$work/summary.json"
}

run() {  # run NAME: runs the policy over $work/NAME.jsonl; checks the summary adds up
  local name=$1 status=0
  timeout 120 "$bylaw" run --policy "$policy" --input "$work/$name.jsonl" \
    --output "$work/$name.out" --rejects "$work/$name.rejects" \
    --summary-json "$work/summary.json" 2> "$work/$name.err" || status=$?
  [ "$status" = 0 ] || { cat "$work/$name.err"; fail "$name: exit $status"; }
  local sum
  sum=$(jq '.evaluated + .duplicates + .skipped + .late + .rejected' "$work/summary.json")
  [ "$sum" = "$(count lines)" ] || fail "$name: summary does not add up ($(cat "$work/summary.json"))"
}

expect() {  # expect NAME KEY VALUE
  [ "$(count "$2")" = "$3" ] || fail "$1: $2 is $(count "$2"), not $3"
}

expect_reject() {  # expect_reject NAME LINE REASON
  local found
  found=$(jq -n --argjson line "$2" --arg reason "$3" \
    'any(inputs; .line == $line and .reason == $reason)' "$work/$1.rejects")
  [ "$found" = true ] || fail "$1: line $2 not rejected as $3: $(cut -c1-200 "$work/$1.rejects")"
}

# An empty file; a file without a final newline; CRLF line ends.
: > "$work/empty.jsonl"
run empty
expect empty lines 0
{ event e-1 2026-01-01T00:00:00Z 5; echo; event e-2 2026-01-01T00:00:01Z 5; } > "$work/no_newline.jsonl"
run no_newline
expect no_newline evaluated 2
{ event e-1 2026-01-01T00:00:00Z 5; printf '\r\n'; event e-2 2026-01-01T00:00:01Z 5; printf '\r\n'; } \
  > "$work/crlf.jsonl"
run crlf
expect crlf evaluated 2

# Numbers (amount is a `number`): out of double range, NaN and integers past 64 bits are refused
# by the JSON parser; -0, 2.0 and 1.5 are numbers.
{
  event e-1 2026-01-01T00:00:01Z 1e400; echo
  event e-2 2026-01-01T00:00:02Z -1e400; echo
  event e-3 2026-01-01T00:00:03Z NaN; echo
  event e-4 2026-01-01T00:00:04Z -0; echo
  event e-5 2026-01-01T00:00:05Z 2.0; echo
  event e-6 2026-01-01T00:00:06Z 1.5; echo
  event e-7 2026-01-01T00:00:07Z 18446744073709551616; echo
} > "$work/numbers.jsonl"
run numbers
expect numbers evaluated 3
for line in 1 2 3 7; do expect_reject numbers $line invalid_json; done

# Times at the ends of RFC 3339 and with odd offsets (in time order once normalised to UTC).
{
  event e-1 0001-01-01T00:00:00Z 5; echo
  event e-2 2026-01-01T00:00:00+23:59 5; echo
  event e-3 2026-01-01T00:00:00-23:59 5; echo
  event e-4 2026-01-01T00:00:00+24:00 5; echo
  event e-5 9999-12-31T23:59:59.999999Z 5; echo
  event e-6 10000-01-01T00:00:00Z 5; echo
} > "$work/times.jsonl"
run times
expect times evaluated 4
expect_reject times 4 bad_time
expect_reject times 6 bad_time

# Bytes that are not UTF-8, and JSON nested 10,000 deep (inside an object and bare).
{
  event $'e-\xff' 2026-01-01T00:00:00Z 5; echo
  printf '{"specversion":"1.0","id":"e-2","source":"t","type":"x","time":"2026-01-01T00:00:00Z","data":'
  printf '[%.0s' $(seq 10000); printf ']%.0s' $(seq 10000); echo '}'
  printf '[%.0s' $(seq 10000); printf ']%.0s' $(seq 10000); echo
} > "$work/bytes.jsonl"
run bytes
expect bytes rejected 3
expect_reject bytes 1 invalid_utf8

# A 10 MB line (a contract id of 10 MB) and an id of 100 KB, sent twice: evaluated, then a
# duplicate. The decisions stream stays one line per decision.
big=$(head -c 10000000 /dev/zero | tr '\0' k)
long_id="e-$(head -c 100000 /dev/zero | tr '\0' 9)"
{
  event e-1 2026-01-01T00:00:00Z 5 "$big"; echo
  event "$long_id" 2026-01-01T00:00:01Z 5; echo
  event "$long_id" 2026-01-01T00:00:02Z 5; echo
} > "$work/large.jsonl"
unset big
run large
expect large evaluated 2
expect large duplicates 1
exit 0
