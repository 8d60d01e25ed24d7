#!/usr/bin/env bash
# `bylaw run --partitions N` (docs/scaling.md): the state split by key over N partitions in one
# process gives the decisions one engine gives, byte for byte once sorted (timers' decisions come
# when their partition next sees the clock move): every hand-written scenario, and generated
# streams under the marketplace and extended packs. The summary reports hops and the balance of
# the partitions; a pack that cannot be partitioned, and --partitions with --store, are refused
# with the reason.
set -u
gen=$1
bylaw=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"

# same_decisions LABEL PACK INPUT [ARGS...]: one engine against 2, 3 and 8 partitions.
same_decisions() {
  local label=$1 pack=$2 input=$3
  shift 3
  "$bylaw" run --policy "$pack" --input "$input" --output "$work/one.jsonl" "$@" 2> "$work/err" ||
    fail "$label: bylaw run exited $?: $(cat "$work/err")"
  sort "$work/one.jsonl" > "$work/one.sorted"
  for n in 2 3 8; do
    "$bylaw" run --policy "$pack" --input "$input" --output "$work/part.jsonl" --partitions "$n" \
      --summary-json "$work/summary.json" "$@" 2> "$work/err" ||
      fail "$label: bylaw run --partitions $n exited $?: $(cat "$work/err")"
    sort "$work/part.jsonl" | cmp -s - "$work/one.sorted" ||
      fail "$label: $n partitions decide otherwise than one engine"
    jq -e --argjson n "$n" '.partitions.count == $n and (.partitions.events | length) == $n' \
      "$work/summary.json" > /dev/null || fail "$label: the summary has no partitions: $(cat "$work/summary.json")"
  done
}

for dir in "$root"/tests/scenarios/*/; do
  name=$(basename "$dir")
  pack="$root/policies/marketplace.policy"
  [ -f "$dir/pack.policy" ] && pack="$dir/pack.policy"
  args=()
  if [ -f "$dir/args" ]; then mapfile -t args < "$dir/args"; fi
  same_decisions "scenario $name" "$pack" "$dir/input.jsonl" "${args[@]}"
done

"$gen" --events 40000 --freelancers 300 --clients 300 --seed 5 --bad-rate 0.01 > "$work/gen.jsonl"
for pack in marketplace extended; do
  same_decisions "generated, $pack" "$root/policies/$pack.policy" "$work/gen.jsonl"
done
# Rule 1 hands its lookups from the contract's partition to the freelancer's: hops happen, and
# the generated stream spreads state evenly.
jq -e '.partitions.hops > 0 and .partitions.state_max_over_mean < 1.3' "$work/summary.json" \
  > /dev/null || fail "no hops, or uneven partitions: $(cat "$work/summary.json")"
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/gen.jsonl" \
  --output /dev/null --partitions 4 2> "$work/err" || fail "bylaw run --partitions 4 failed"
grep -q '^bylaw run: 4 partitions: [0-9]* hops; events per partition max/mean [0-9.]*, state per partition max/mean [0-9.]*$' \
  "$work/err" || fail "no partitions line in the summary: $(cat "$work/err")"

# A rule whose later step is keyed by what a lookup found cannot be routed before it runs.
cat > "$work/flaggers.rules" <<'EOF'
event order.placed { order: id  buyer: id  seller: id }
event order.flagged { order: id  by: id }

rule flaggers {
  on order.placed as o
  let flag = latest order.flagged as f where f.order == o.order
  where flag.by != "nobody"
  then hold flagging on flag.by not appealable say "flagged"
}
EOF
printf 'policy flaggers version "1" {\n  use "flaggers.rules"\n}\n' > "$work/flaggers.policy"
echo '{"id":"e1","type":"order.placed","time":"2026-01-01T00:00:00Z","order":"o","buyer":"b","seller":"s"}' \
  > "$work/orders.jsonl"
"$bylaw" run --policy "$work/flaggers.policy" --input "$work/orders.jsonl" --output "$work/out.jsonl" \
  --partitions 2 2> "$work/err"
[ $? -eq 1 ] || fail "a pack that cannot be partitioned did not exit 1"
grep -q 'rule flaggers cannot run partitioned: step 2 is keyed by flag.by, which is not known before the rule runs' \
  "$work/err" || fail "the refusal does not say why: $(cat "$work/err")"

"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$work/orders.jsonl" \
  --output "$work/out.jsonl" --store "$work/store.db" --partitions 2 2> "$work/err"
[ $? -eq 1 ] || fail "--partitions with --store did not exit 1"
grep -q -- '--partitions with --store' "$work/err" || fail "no reason given: $(cat "$work/err")"
exit 0
