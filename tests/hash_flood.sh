#!/usr/bin/env bash
# Hash flooding (issue 17 item 5): every table keyed by data from the stream hashes with a
# per-process random key. The output does not depend on the key (the same streams under two
# keys, and under a random one, give the same bytes); and 200k events whose ids all fall into one
# slot of a table indexed by an unkeyed std::hash run at the pace of ordinary ids (within 2x: the
# best of three runs each, alternating, so a busy machine slows both alike).
set -euo pipefail
flood=$1
gen=$2
bylaw=$3
root=$4
source "$(dirname "$0")/script_prelude.sh"
policy="$root/policies/extended.policy"

"$gen" --events 100000 --freelancers 2000 --clients 2000 --seed 11 --bad-rate 0.01 > "$work/gen.jsonl"
"$flood" --events 20000 --ids colliding --output "$work/small-flood.jsonl"
for stream in gen small-flood; do
  BYLAW_HASH_SEED=1 "$bylaw" run --policy "$policy" --input "$work/$stream.jsonl" \
    --output "$work/$stream.1" 2> /dev/null
  BYLAW_HASH_SEED=2 "$bylaw" run --policy "$policy" --input "$work/$stream.jsonl" \
    --output "$work/$stream.2" 2> /dev/null
  "$bylaw" run --policy "$policy" --input "$work/$stream.jsonl" --output "$work/$stream.r" 2> /dev/null
  [ "$(wc -l < "$work/$stream.1")" -gt 1000 ] || fail "too few decisions on $stream to compare"
  cmp "$work/$stream.1" "$work/$stream.2" || fail "$stream: the output depends on the hash key"
  cmp "$work/$stream.1" "$work/$stream.r" || fail "$stream: the output depends on the hash key"
done
echo "ok: $(wc -l < "$work/gen.1") and $(wc -l < "$work/small-flood.1") decisions, the same under three keys"

"$flood" --events 200000 --ids colliding --output "$work/colliding.jsonl"
"$flood" --events 200000 --ids ordinary --output "$work/ordinary.jsonl"
best() {  # the smallest of the run's own seconds, over what is on standard input
  sort -g | head -1
}
for round in 1 2 3; do
  for ids in colliding ordinary; do
    "$bylaw" run --policy "$policy" --input "$work/$ids.jsonl" --output /dev/null \
      --summary-json "$work/$ids.$round.json" 2> /dev/null
    jq .seconds "$work/$ids.$round.json" >> "$work/$ids.seconds"
    [ "$(jq .evaluated "$work/$ids.$round.json")" = 200000 ] || fail "$ids: not every event evaluated"
  done
done
colliding=$(best < "$work/colliding.seconds")
ordinary=$(best < "$work/ordinary.seconds")
echo "200k events: colliding ids ${colliding}s, ordinary ids ${ordinary}s (best of 3)"
awk -v c="$colliding" -v o="$ordinary" 'BEGIN { exit !(c <= 2 * o) }' ||
  fail "colliding ids take more than twice as long: ${colliding}s against ${ordinary}s"
