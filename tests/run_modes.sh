#!/usr/bin/env bash
# `run --threads` and `run --explanations` (issue 17 items 4 and 6) through the real binary:
# decoding ahead on a thread of its own (2 threads), and encoding behind on another (3 or more),
# change no byte of the decisions, the shadow decisions, the rejects or the summary's counts, on
# a stream with malformed, duplicated and out-of-order lines; the
# explanations go on the line, only into the store, or nowhere, and a mode that would lose them
# is refused.
set -euo pipefail
gen=$1
bylaw=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
policy="$root/policies/extended.policy"

"$gen" --events 60000 --freelancers 800 --clients 800 --seed 5 --bad-rate 0.03 > "$work/s.jsonl"
# Out of order within the lateness allowed: every 97th line moved 40 lines later.
awk 'NR % 97 == 0 { held = $0; hold_until = NR + 40; next }
     { print } NR == hold_until { print held }' "$work/s.jsonl" > "$work/shuffled.jsonl"
for threads in 1 2 3 4; do
  "$bylaw" run --threads "$threads" --policy "$policy" --input "$work/shuffled.jsonl" \
    --max-lateness 1d --rejects "$work/rejects.$threads" --rejects-include duplicate,skipped \
    --output "$work/out.$threads" --summary-json "$work/summary.$threads" 2> /dev/null
  jq -c 'del(.seconds, .events_per_second, .peak_rss_mb)' "$work/summary.$threads" \
    > "$work/counts.$threads"
done
[ "$(wc -l < "$work/out.1")" -gt 1000 ] || fail "too few decisions: $(wc -l < "$work/out.1")"
for kind in duplicate skipped invalid_json; do
  grep -q "\"reason\":\"$kind\"" "$work/rejects.1" || fail "no $kind line to compare"
done
[ "$(jq .late "$work/summary.1")" = 0 ] || fail "lines came too late for the comparison"
for threads in 2 3 4; do
  cmp "$work/out.1" "$work/out.$threads" || fail "--threads $threads changed the decisions"
  cmp "$work/rejects.1" "$work/rejects.$threads" || fail "--threads $threads changed the rejects"
  cmp "$work/counts.1" "$work/counts.$threads" || fail "--threads $threads changed the counts"
done
echo "ok: $(wc -l < "$work/out.1") decisions, the same with 1, 2, 3 and 4 threads"

# Shadow decisions are encoded behind evaluation too, into their own file.
sed -e 's/mass_cancellation = enforce/mass_cancellation = shadow/' -e 's|"\.\./rules/|"'"$root"'/rules/|g' \
  "$root/policies/marketplace.policy" > "$work/shadow.policy"
for threads in 1 3; do
  "$bylaw" run --threads "$threads" --policy "$work/shadow.policy" --max-lateness 1d \
    --input "$work/shuffled.jsonl" --output "$work/enforced.$threads" \
    --shadow-output "$work/shadow.$threads" 2> /dev/null
done
[ -s "$work/shadow.1" ] || fail "the stream makes no shadow decision"
cmp "$work/enforced.1" "$work/enforced.3" || fail "--threads 3 changed the enforced decisions"
cmp "$work/shadow.1" "$work/shadow.3" || fail "--threads 3 changed the shadow decisions"

# A pipe is read line by line (its decisions go out as soon as it pauses): the same output.
cat "$work/shuffled.jsonl" | "$bylaw" run --threads 2 --policy "$policy" --max-lateness 1d \
  > "$work/out.pipe" 2> /dev/null
cmp "$work/out.1" "$work/out.pipe" || fail "a pipe gave other decisions"

# --explanations none: the same lines without their explanation.
"$bylaw" run --explanations none --policy "$policy" --input "$work/s.jsonl" \
  --output "$work/none.jsonl" 2> /dev/null
"$bylaw" run --policy "$policy" --input "$work/s.jsonl" --output "$work/inline.jsonl" 2> /dev/null
jq -c 'del(.explanation)' "$work/inline.jsonl" | cmp - "$work/none.jsonl" ||
  fail "--explanations none is not the inline output without explanations"
grep -q '"explanation"' "$work/none.jsonl" && fail "--explanations none wrote an explanation"

# --explanations store: the line says where the explanation is; the store has the whole of it.
"$bylaw" run --explanations store --store "$work/audit.db" --policy "$policy" \
  --input "$work/s.jsonl" --output "$work/stored.jsonl" 2> /dev/null
jq -c '.explanation = {"in_store": true}' "$work/inline.jsonl" | cmp - "$work/stored.jsonl" ||
  fail "--explanations store: the lines are not the inline ones with a reference"
id=$(first_id "$work/inline.jsonl" '.kind == "hold"') || fail "no hold to look up"
"$bylaw" explain --store "$work/audit.db" --format json "$id" | jq -c .explanation \
  > "$work/from_store.json"
jq -c "select(.id == \"$id\") | .explanation" "$work/inline.jsonl" | cmp - "$work/from_store.json" ||
  fail "the store's explanation of $id is not the inline one"
echo "ok: explanations inline, in the store only, and nowhere"

# Modes that would lose explanations are refused, before anything is read.
if "$bylaw" run --explanations store --policy "$policy" --input "$work/s.jsonl" \
  > /dev/null 2> "$work/err"; then
  fail "--explanations store without --store was accepted"
fi
grep -q -- "--explanations store needs --store" "$work/err" || fail "unclear: $(cat "$work/err")"
if "$bylaw" run --explanations none --store "$work/other.db" --policy "$policy" \
  --input "$work/s.jsonl" > /dev/null 2> "$work/err"; then
  fail "--explanations none with --store was accepted"
fi
grep -q "the audit store always keeps explanations" "$work/err" || fail "unclear: $(cat "$work/err")"
[ ! -e "$work/other.db" ] || fail "a refused run created its store"
if "$bylaw" run --threads 0 --policy "$policy" --input "$work/s.jsonl" > /dev/null 2>&1; then
  fail "--threads 0 was accepted"
fi
echo "ok: refused modes"
